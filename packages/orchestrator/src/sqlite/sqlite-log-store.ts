import {
  LEVEL_NO,
  type LogLevel,
  type LogQuery,
  type LogRow,
  type LogStore,
  type StoredLog,
} from '../ports/log-store.js';
import type { SqliteDatabase } from './database.js';

type Row = {
  id: number;
  execution_id: string;
  namespace: string;
  flow_id: string;
  task_id: string | null;
  task_run_id: string | null;
  attempt: number | null;
  level: LogLevel;
  timestamp: string;
  message: string;
};

/** Execution logs (table `logs`, migration 0003). */
export class SqliteLogStore implements LogStore {
  private readonly s;

  constructor(db: SqliteDatabase) {
    this.s = {
      /** (executionId, namespace, flowId, taskId, taskRunId, attempt, level, levelNo, timestamp, message). */
      insert: db.prepare(
        `INSERT INTO logs (execution_id, namespace, flow_id, task_id, task_run_id, attempt, level, level_no, timestamp, message)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      /** (executionId, minLevel, taskRunId or NULL, after id) → rows in order. */
      list: db.prepare(
        `SELECT * FROM logs WHERE execution_id = @executionId AND level_no >= @minLevel
           AND (@taskRunId IS NULL OR task_run_id = @taskRunId) AND id > @after ORDER BY id`,
      ),
    };
  }

  append(l: LogRow): void {
    this.s.insert.run(
      l.executionId,
      l.namespace,
      l.flowId,
      l.taskId ?? null,
      l.taskRunId ?? null,
      l.attempt ?? null,
      l.level,
      LEVEL_NO[l.level],
      l.timestamp,
      l.message,
    );
  }

  list(executionId: string, q: LogQuery = {}): StoredLog[] {
    const rows = this.s.list.all({
      executionId,
      minLevel: q.minLevel ?? 0,
      taskRunId: q.taskRunId ?? null,
      after: q.after ?? 0,
    }) as Row[];
    return rows.map((r) => ({
      id: r.id,
      executionId: r.execution_id,
      namespace: r.namespace,
      flowId: r.flow_id,
      ...(r.task_id !== null ? { taskId: r.task_id } : {}),
      ...(r.task_run_id !== null ? { taskRunId: r.task_run_id } : {}),
      ...(r.attempt !== null ? { attempt: r.attempt } : {}),
      level: r.level,
      timestamp: r.timestamp,
      message: r.message,
    }));
  }
}
