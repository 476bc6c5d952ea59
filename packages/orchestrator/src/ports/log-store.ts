export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Order of the levels: a `minLevel` filter keeps levels at or above it. */
export const LEVEL_NO = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 } as const satisfies Record<
  LogLevel,
  number
>;

export type LogRow = {
  executionId: string;
  namespace: string;
  flowId: string;
  taskId?: string | undefined;
  taskRunId?: string | undefined;
  attempt?: number | undefined;
  level: LogLevel;
  timestamp: string;
  message: string;
};

/** A stored log line: its row plus the position `id` (increasing; `after` of the next query). */
export type StoredLog = LogRow & { id: number };

export type LogQuery = {
  /** Only levels at or above (`LEVEL_NO`). @default 0 */
  minLevel?: number;
  /** Only this task run's lines. */
  taskRunId?: string | null;
  /** Only lines stored after this position (follow). @default 0 */
  after?: number;
};

/**
 * The execution logs (task attempts and executor messages).
 *
 * @example
 * logs.append({ executionId, namespace, flowId, level: 'INFO', timestamp, message: 'hi' });
 * logs.list(executionId, { minLevel: LEVEL_NO.WARN });
 */
export interface LogStore {
  append(log: LogRow): void;
  /** Lines of one execution, in the order they were stored. */
  list(executionId: string, query?: LogQuery): StoredLog[];
}
