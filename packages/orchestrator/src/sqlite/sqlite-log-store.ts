import {
  LEVEL_NO,
  type LogLevel,
  type LogPosition,
  type LogQuery,
  type LogRow,
  type LogSearch,
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

  constructor(private readonly db: SqliteDatabase) {
    this.s = {
      /** (executionId, namespace, flowId, taskId, taskRunId, attempt, level, levelNo, timestamp, message). */
      insert: db.prepare(
        `INSERT INTO logs (execution_id, namespace, flow_id, task_id, task_run_id, attempt, level, level_no, timestamp, message)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      /** (executionId, minLevel, taskRunId or NULL, after id) → rows in order. */
      list: db.prepare(
        `SELECT * FROM logs WHERE execution_id = @executionId AND ${ONE_EXECUTION} AND id > @after ORDER BY id`,
      ),
      /** Same filters as `list`, without `after`. */
      deleteByExecution: db.prepare(
        `DELETE FROM logs WHERE execution_id = @executionId AND ${ONE_EXECUTION}`,
      ),
    };
  }

  search(q: LogSearch & { page: number; size: number; order?: 'asc' | 'desc'; after?: LogPosition }) {
    const { clause, params } = searchWhere(q);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM logs ${clause}`).get(params) as { n: number })
      .n;
    const order = q.order === 'asc' ? 'ASC' : 'DESC';
    // Cursor paging: the lines strictly after (timestamp, id) in the page's order (a row-value comparison).
    const after = q.after
      ? ` AND (timestamp, id) ${order === 'ASC' ? '>' : '<'} (@afterTimestamp, @afterId)`
      : '';
    const rows = this.db
      .prepare(
        `SELECT * FROM logs ${clause}${after} ORDER BY timestamp ${order}, id ${order} LIMIT @limit OFFSET @offset`,
      )
      .all({
        ...params,
        ...(q.after ? { afterTimestamp: q.after.timestamp, afterId: q.after.id } : {}),
        limit: q.size,
        offset: q.after ? 0 : (q.page - 1) * q.size,
      }) as Row[];
    return { results: rows.map(stored), total };
  }

  deleteByExecution(executionId: string, q: Omit<LogQuery, 'after'> = {}): number {
    return this.s.deleteByExecution.run({ executionId, ...oneExecutionParams(q) }).changes;
  }

  deleteWhere(q: LogSearch): number {
    const { clause, params } = searchWhere(q);
    return this.db.prepare(`DELETE FROM logs ${clause}`).run(params).changes;
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
    const rows = this.s.list.all({ executionId, ...oneExecutionParams(q), after: q.after ?? 0 }) as Row[];
    return rows.map(stored);
  }
}

/** The filters of `list` and `deleteByExecution` (a NULL parameter means "any"). */
const ONE_EXECUTION = `level_no >= @minLevel AND (@taskRunId IS NULL OR task_run_id = @taskRunId)
  AND (@taskId IS NULL OR task_id = @taskId) AND (@attempt IS NULL OR attempt = @attempt)`;

const oneExecutionParams = (q: Omit<LogQuery, 'after'>) => ({
  minLevel: q.minLevel ?? 0,
  taskRunId: q.taskRunId ?? null,
  taskId: q.taskId ?? null,
  attempt: q.attempt ?? null,
});

/** The WHERE clause of a search across executions, with named parameters. */
function searchWhere(q: LogSearch): { clause: string; params: Record<string, string | number> } {
  const params: Record<string, string | number> = {};
  return { clause: `WHERE ${conditions(q, '', params).join(' AND ')}`, params };
}

/** (search, parameter-name prefix, parameters to fill) → its conditions; a group's children get their own prefixes. */
function conditions(q: LogSearch, p: string, params: Record<string, string | number>): string[] {
  const where: string[] = [`level_no >= @${p}minLevel`];
  params[`${p}minLevel`] = q.minLevel ?? 0;
  if (q.namespace !== undefined) {
    where.push(
      `(namespace = @${p}namespace OR substr(namespace, 1, length(@${p}namespace) + 1) = @${p}namespace || '.')`,
    );
    params[`${p}namespace`] = q.namespace;
  }
  if (q.flowId !== undefined) {
    where.push(`flow_id = @${p}flowId`);
    params[`${p}flowId`] = q.flowId;
  }
  if (q.executionId !== undefined) {
    where.push(`execution_id = @${p}executionId`);
    params[`${p}executionId`] = q.executionId;
  }
  if (q.q !== undefined) {
    where.push(`instr(lower(message), lower(@${p}q)) > 0`);
    params[`${p}q`] = q.q;
  }
  if (q.levels !== undefined) {
    where.push('level IN (SELECT value FROM json_each(@levels))');
    params.levels = JSON.stringify(q.levels);
  }
  if (q.startDate !== undefined) {
    where.push(`timestamp >= @${p}startDate`);
    params[`${p}startDate`] = q.startDate;
  }
  if (q.endDate !== undefined) {
    where.push(`timestamp <= @${p}endDate`);
    params[`${p}endDate`] = q.endDate;
  }
  for (const [gi, g] of (q.groups ?? []).entries()) {
    const parts = g.children.map(
      (child, ci) => `(${conditions(child, `${p}g${gi}c${ci}_`, params).join(' AND ')})`,
    );
    if (parts.length > 0) where.push(`(${parts.join(g.logical === 'or' ? ' OR ' : ' AND ')})`);
  }
  return where;
}

function stored(r: Row): StoredLog {
  return {
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
  };
}
