import { isTerminal } from '@silo/contracts';
import { type Execution, isSettled } from '../model/execution.js';
import { stateStartDate } from '../model/state.js';
import type { ExecutionSearch, ExecutionStore } from '../ports/execution-store.js';
import type { SqliteDatabase } from './database.js';
import { executionSearchSql } from './execution-search-sql.js';

/**
 * Executions with their task runs (table `executions`, migration 0003): one row per execution, its
 * task runs inside its document, which is what every reader reads. Statements prepared once.
 *
 * The `task_runs` table of migration 0003 is no longer written: it held a copy of each task run
 * that nothing read, and cost two upserts per task (a third of an execution's statements,
 * bench/RESULTS-instance.md). It stays in the schema (migrations are append-only; an older version
 * started on this file still finds it).
 */
export class SqliteExecutionStore implements ExecutionStore {
  private readonly s;

  constructor(private readonly db: SqliteDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      /** (row) → inserts at version 1. */
      insert: p(
        `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, settled, start_date, end_date, labels, version, doc)
         VALUES (@id, @namespace, @flowId, @flowRevision, @state, @settled, @startDate, @endDate, @labels, 1, @doc)`,
      ),
      /** (row, version) → guarded write, version + 1. */
      update: p(
        `UPDATE executions SET state = @state, settled = @settled, end_date = @endDate, labels = @labels,
           version = version + 1, doc = @doc WHERE id = @id AND version = @version`,
      ),
      /** (id) → doc, version. */
      get: p('SELECT doc, version FROM executions WHERE id = ?'),
      /** (namespace, flowId, exceptId) → n. */
      countActiveInFlow: p(
        `SELECT count(*) AS n FROM executions WHERE namespace = ? AND flow_id = ? AND id != ?
           AND state IN ('RUNNING', 'PAUSED', 'RESTARTED', 'KILLING')`,
      ),
      /** (namespace, flowId) → id. */
      oldestQueued: p(
        `SELECT id FROM executions WHERE namespace = ? AND flow_id = ? AND state = 'QUEUED'
           ORDER BY start_date, rowid LIMIT 1`,
      ),
      /** (exceptId) → n; active executions are unsettled, so the partial index bounds the scan. */
      countActiveTopLevel: p(
        `SELECT count(*) AS n FROM executions WHERE settled = 0 AND id != ?
           AND state IN ('RUNNING', 'PAUSED', 'RESTARTED', 'KILLING') AND json_extract(doc, '$.parentId') IS NULL`,
      ),
      /** (limit) → ids. */
      oldestQueuedAll: p(
        `SELECT id FROM executions WHERE settled = 0 AND state = 'QUEUED' ORDER BY start_date, rowid LIMIT ?`,
      ),
      /** () → n. */
      countQueued: p(`SELECT count(*) AS n FROM executions WHERE settled = 0 AND state = 'QUEUED'`),
      /** () → n. */
      countUnsettled: p('SELECT count(*) AS n FROM executions WHERE settled = 0'),
      /** (id) → deletes it; its task runs go by the foreign key's cascade. */
      delete: p('DELETE FROM executions WHERE id = ?'),
    };
  }

  insert(e: Execution): void {
    this.s.insert.run(row(e));
  }

  update(e: Execution, version: number): boolean {
    return this.s.update.run({ ...row(e), version }).changes === 1;
  }

  get(id: string): { execution: Execution; version: number } | undefined {
    const r = this.s.get.get(id) as { doc: string; version: number } | undefined;
    return r ? { execution: JSON.parse(r.doc) as Execution, version: r.version } : undefined;
  }

  countActiveInFlow(namespace: string, flowId: string, exceptId: string): number {
    return (this.s.countActiveInFlow.get(namespace, flowId, exceptId) as { n: number }).n;
  }

  oldestQueued(namespace: string, flowId: string): string | undefined {
    return (this.s.oldestQueued.get(namespace, flowId) as { id: string } | undefined)?.id;
  }

  countActiveTopLevel(exceptId: string): number {
    return (this.s.countActiveTopLevel.get(exceptId) as { n: number }).n;
  }

  oldestQueuedAll(limit: number): string[] {
    return (this.s.oldestQueuedAll.all(limit) as { id: string }[]).map((r) => r.id);
  }

  countQueued(): number {
    return (this.s.countQueued.get() as { n: number }).n;
  }

  countUnsettled(): number {
    return (this.s.countUnsettled.get() as { n: number }).n;
  }

  delete(id: string): boolean {
    return this.s.delete.run(id).changes === 1;
  }

  search(q: ExecutionSearch): { results: Execution[]; total: number } {
    const { clause, params, order } = executionSearchSql(q);
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM executions ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT doc FROM executions ${clause} ORDER BY ${order}, rowid DESC LIMIT ? OFFSET ?`)
      .all(...params, q.size, (q.page - 1) * q.size) as Array<{ doc: string }>;
    return { results: rows.map((r) => JSON.parse(r.doc) as Execution), total };
  }
}

function row(e: Execution) {
  const terminal = isTerminal(e.state.current);
  return {
    id: e.id,
    namespace: e.namespace,
    flowId: e.flowId,
    flowRevision: e.flowRevision,
    state: e.state.current,
    settled: isSettled(e) ? 1 : 0,
    startDate: stateStartDate(e.state),
    endDate: terminal ? (e.state.histories.at(-1)?.date ?? null) : null,
    labels: JSON.stringify(e.labels),
    doc: JSON.stringify(e),
  };
}
