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

/** What `GET /logs/search` and `PurgeLogs` select across executions (all given fields must hold). */
export type LogSearch = {
  /** Only levels at or above (`LEVEL_NO`). @default 0 */
  minLevel?: number;
  /** This namespace and the ones below it (`company` matches `company.team`). */
  namespace?: string;
  flowId?: string;
  executionId?: string;
  /** Case-insensitive text found in the message. */
  q?: string;
  /** Only these levels (PurgeLogs `logLevels`). */
  levels?: readonly string[];
  /** ISO-8601 bounds on the timestamp (inclusive). */
  startDate?: string;
  endDate?: string;
  /** Kestra 2.0 filter groups: each must hold; inside one, its children are joined by `logical`. */
  groups?: Array<{ logical: 'and' | 'or'; children: LogSearch[] }>;
};

/** Where a line sits in a search's order: its timestamp, then its position `id` (ties). */
export type LogPosition = { timestamp: string; id: number };

export type LogQuery = {
  /** Only levels at or above (`LEVEL_NO`). @default 0 */
  minLevel?: number;
  /** Only this task run's lines. */
  taskRunId?: string | null;
  /** Only this task's lines. */
  taskId?: string | null;
  /** Only this attempt's lines (stored from 1, as the worker counts). */
  attempt?: number | null;
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
  /**
   * One page of lines across executions, newest first (`sort` by `timestamp`), and the total.
   * With `after` (cursor paging), the page starts after that line in the chosen order, and `page` is ignored.
   */
  search(query: LogSearch & { page: number; size: number; order?: 'asc' | 'desc'; after?: LogPosition }): {
    results: StoredLog[];
    total: number;
  };
  /** Deletes the lines of one execution that match `query` (level, task run, task, attempt); returns how many. */
  deleteByExecution(executionId: string, query?: Omit<LogQuery, 'after'>): number;
  /** Deletes the lines selected by `query` (PurgeLogs); returns how many. */
  deleteWhere(query: LogSearch): number;
}
