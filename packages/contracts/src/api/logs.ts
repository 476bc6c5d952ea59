import { z } from 'zod';

/** Kestra's log levels, most verbose first (the order `minLevel` filters by). */
export const KESTRA_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type KestraLogLevel = (typeof KESTRA_LOG_LEVELS)[number];

/**
 * Kestra's `LogEntry` on the wire (`GET /logs/{executionId}`, its SSE follow).
 *
 * @example
 * const logs = z.array(LogEntryJsonSchema).parse(await res.json());
 * logs.filter((l) => l.level === 'ERROR');
 */
export const LogEntryJsonSchema = z.object({
  namespace: z.string(),
  flowId: z.string(),
  taskId: z.string().nullable(),
  executionId: z.string(),
  taskRunId: z.string().nullable(),
  attemptNumber: z.number().int().nullable(),
  timestamp: z.string(),
  level: z.enum(KESTRA_LOG_LEVELS),
  thread: z.string(),
  message: z.string(),
});
export type LogEntryJson = z.infer<typeof LogEntryJsonSchema>;
