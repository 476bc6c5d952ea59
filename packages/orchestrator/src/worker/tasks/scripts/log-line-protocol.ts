import type { TaskLogLevel } from '../../runnable-task.js';

/** What one `::{...}::` line carries (Kestra's `TaskLogLineMatcher.TaskLogMatch`). */
export type LogLineMatch = {
  outputs: Record<string, unknown>;
  logs: Array<{ level: TaskLogLevel; message: string }>;
  metrics: unknown[];
};

const LOG_DATA_SYNTAX = /^::(\{.*\})::$/;
const LEVELS: readonly TaskLogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * Reads Kestra's line protocol: a whole line `::{"outputs":{...}}::` (also
 * `logs` and `metrics`), as written by `@kestra-io/libs` and the other Kestra
 * script libraries. Returns `undefined` for an ordinary line; throws
 * `SyntaxError` when the line has the shape but not valid JSON (Kestra logs
 * "Invalid outputs" then).
 *
 * @example
 * parseLogLine('::{"outputs":{"a":1}}::'); // { outputs: { a: 1 }, logs: [], metrics: [] }
 * parseLogLine('hello'); // undefined
 */
export function parseLogLine(line: string): LogLineMatch | undefined {
  const m = LOG_DATA_SYNTAX.exec(line.trim());
  if (!m) return undefined;
  const data = JSON.parse(m[1]!) as unknown;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const { outputs, logs, metrics } = data as Record<string, unknown>;
  return {
    outputs:
      outputs !== null && typeof outputs === 'object' && !Array.isArray(outputs)
        ? (outputs as Record<string, unknown>)
        : {},
    logs: Array.isArray(logs) ? logs.flatMap(toLog) : [],
    metrics: Array.isArray(metrics) ? metrics : [],
  };
}

function toLog(entry: unknown): Array<{ level: TaskLogLevel; message: string }> {
  if (entry === null || typeof entry !== 'object') return [];
  const { level, message } = entry as { level?: unknown; message?: unknown };
  const upper = typeof level === 'string' ? level.toUpperCase() : 'INFO';
  const normalised = (upper === 'WARNING' ? 'WARN' : upper) as TaskLogLevel;
  return [
    {
      level: LEVELS.includes(normalised) ? normalised : 'INFO',
      message: typeof message === 'string' ? message : JSON.stringify(message),
    },
  ];
}
