import { isTerminal } from '@silo/contracts';
import type Database from 'better-sqlite3';
import type { ExecutorEvent, TimerKind } from '../executor/events.js';
import { type Execution, isSettled, type TaskRun } from '../model/execution.js';
import { stateStartDate } from '../model/state.js';

export type StoredEvent = { id: number; executionId: string; event: ExecutorEvent };
export type Job = {
  id: number;
  executionId: string;
  taskRunId: string;
  attempt: number;
  payload: JobPayload;
};
export type JobPayload = {
  taskId: string;
  task: import('../flow/flow-model.js').Task;
  variables: Record<string, unknown>;
  timeoutMs?: number;
  namespace: string;
  flowId: string;
};
export type LogRow = {
  executionId: string;
  namespace: string;
  flowId: string;
  taskId?: string | undefined;
  taskRunId?: string | undefined;
  attempt?: number | undefined;
  level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  timestamp: string;
  message: string;
};

export type ExecutionSearch = {
  page: number;
  size: number;
  sort?: string[];
  namespace?: string;
  flowId?: string;
  states?: string[];
  labels?: Array<{ key: string; value: string }>;
  startDate?: string;
  endDate?: string;
  /** Case-insensitive substring of the id, namespace or flow id. */
  q?: string;
  /** Kestra filter operations on namespace, flow id and state (all must hold). */
  where?: ExecutionCondition[];
  /** Labels the execution must not have (`filters[labels][NOT_EQUALS][k]=v`). */
  notLabels?: Array<{ key: string; value: string }>;
};

/** One `filters[field][OP]` condition, values already split (`IN` takes several). */
export type ExecutionCondition = {
  field: 'namespace' | 'flowId' | 'state';
  op: 'EQUALS' | 'NOT_EQUALS' | 'IN' | 'NOT_IN' | 'PREFIX' | 'STARTS_WITH' | 'ENDS_WITH' | 'CONTAINS';
  values: string[];
};

export const LEVEL_NO = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 } as const;

/**
 * Every SQL statement of executions, task runs, logs, events, jobs and
 * timers, prepared once (STYLE.md rule 7: visible SQL in named functions).
 * Writes are guarded: a zero-row change means the caller lost a race.
 */
export class ExecutionStore {
  private readonly s;

  constructor(readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insertExecution: p(
        `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, settled, start_date, end_date, labels, version, doc)
         VALUES (@id, @namespace, @flowId, @flowRevision, @state, @settled, @startDate, @endDate, @labels, 1, @doc)`,
      ),
      updateExecution: p(
        `UPDATE executions SET state = @state, settled = @settled, end_date = @endDate, labels = @labels,
           version = version + 1, doc = @doc WHERE id = @id AND version = @version`,
      ),
      getExecution: p('SELECT doc, version FROM executions WHERE id = ?'),
      upsertTaskRun: p(
        `INSERT INTO task_runs (id, execution_id, task_id, parent_task_run_id, value, state, attempts, doc)
         VALUES (@id, @executionId, @taskId, @parentId, @value, @state, @attempts, @doc)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts, doc = excluded.doc`,
      ),
      deleteTaskRunsNotIn: p(
        'DELETE FROM task_runs WHERE execution_id = ? AND id NOT IN (SELECT value FROM json_each(?))',
      ),
      countActiveInFlow: p(
        `SELECT count(*) AS n FROM executions WHERE namespace = ? AND flow_id = ? AND id != ?
           AND state IN ('RUNNING', 'PAUSED', 'RESTARTED', 'KILLING')`,
      ),
      oldestQueued: p(
        `SELECT id FROM executions WHERE namespace = ? AND flow_id = ? AND state = 'QUEUED'
           ORDER BY start_date, rowid LIMIT 1`,
      ),
      countUnsettled: p('SELECT count(*) AS n FROM executions WHERE settled = 0'),
      insertEvent: p('INSERT INTO executor_events (execution_id, event) VALUES (?, ?)'),
      takeEvents: p('SELECT id, execution_id, event FROM executor_events ORDER BY id LIMIT ?'),
      deleteEvent: p('DELETE FROM executor_events WHERE id = ?'),
      insertJob: p(
        `INSERT OR IGNORE INTO jobs (execution_id, task_run_id, attempt, state, payload) VALUES (?, ?, ?, 'QUEUED', ?)`,
      ),
      claimJobs: p(
        `UPDATE jobs SET state = 'RUNNING', lease_owner = @owner, lease_until = @until
         WHERE id IN (SELECT id FROM jobs WHERE state = 'QUEUED' ORDER BY id LIMIT @limit)
         RETURNING id, execution_id, task_run_id, attempt, payload`,
      ),
      completeJob: p(`DELETE FROM jobs WHERE id = ? AND state = 'RUNNING' AND lease_owner = ?`),
      deleteQueuedJob: p(`DELETE FROM jobs WHERE task_run_id = ? AND state = 'QUEUED' RETURNING attempt`),
      releaseJobs: p(
        `DELETE FROM jobs WHERE state = 'RUNNING' AND lease_owner = ? RETURNING execution_id, task_run_id, attempt`,
      ),
      extendLeases: p(
        `UPDATE jobs SET lease_until = @until
         WHERE state = 'RUNNING' AND lease_owner = @owner AND id IN (SELECT value FROM json_each(@ids))`,
      ),
      expiredJobs: p(
        `DELETE FROM jobs WHERE state = 'RUNNING' AND lease_until < ?
         RETURNING id, execution_id, task_run_id, attempt`,
      ),
      abandonedJobs: p(
        `DELETE FROM jobs WHERE state = 'RUNNING' RETURNING execution_id, task_run_id, attempt`,
      ),
      countJobs: p('SELECT count(*) AS n FROM jobs'),
      insertTimer: p('INSERT INTO timers (execution_id, task_run_id, kind, due_at) VALUES (?, ?, ?, ?)'),
      deleteTimersOfExecution: p('DELETE FROM timers WHERE execution_id = ?'),
      deleteTimersOfTaskRun: p('DELETE FROM timers WHERE task_run_id = ?'),
      dueTimers: p('DELETE FROM timers WHERE due_at <= ? RETURNING execution_id, task_run_id, kind'),
      earliestTimer: p('SELECT min(due_at) AS due FROM timers'),
      insertLog: p(
        `INSERT INTO logs (execution_id, namespace, flow_id, task_id, task_run_id, attempt, level, level_no, timestamp, message)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      logs: p(
        `SELECT * FROM logs WHERE execution_id = @executionId AND level_no >= @minLevel
           AND (@taskRunId IS NULL OR task_run_id = @taskRunId) AND id > @after ORDER BY id`,
      ),
    };
  }

  /** (execution) → inserts a new execution (version 1). */
  insertExecution(e: Execution): void {
    this.s.insertExecution.run(this.row(e));
  }

  /** (execution, version) → guarded write; false when another writer won. Also upserts `changedTaskRuns`. */
  updateExecution(
    e: Execution,
    version: number,
    changedTaskRuns: Iterable<TaskRun>,
    removedSome = false,
  ): boolean {
    const r = this.s.updateExecution.run({ ...this.row(e), version });
    if (r.changes !== 1) return false;
    for (const t of changedTaskRuns) this.upsertTaskRun(t);
    if (removedSome) this.s.deleteTaskRunsNotIn.run(e.id, JSON.stringify(e.taskRunList.map((t) => t.id)));
    return true;
  }

  /** (taskRun) → insert or replace its row. */
  upsertTaskRun(t: TaskRun): void {
    this.s.upsertTaskRun.run({
      id: t.id,
      executionId: t.executionId,
      taskId: t.taskId,
      parentId: t.parentTaskRunId ?? null,
      value: t.value ?? null,
      state: t.state.current,
      attempts: t.attempts.length,
      doc: JSON.stringify(t),
    });
  }

  /** (id) → the execution and its version, or undefined. */
  getExecution(id: string): { execution: Execution; version: number } | undefined {
    const row = this.s.getExecution.get(id) as { doc: string; version: number } | undefined;
    return row ? { execution: JSON.parse(row.doc) as Execution, version: row.version } : undefined;
  }

  /** (namespace, flowId, exceptId) → executions of the flow holding a concurrency slot. */
  countActiveInFlow(namespace: string, flowId: string, exceptId: string): number {
    return (this.s.countActiveInFlow.get(namespace, flowId, exceptId) as { n: number }).n;
  }

  /** (namespace, flowId) → the oldest QUEUED execution's id. */
  oldestQueued(namespace: string, flowId: string): string | undefined {
    return (this.s.oldestQueued.get(namespace, flowId) as { id: string } | undefined)?.id;
  }

  /** () → executions not yet settled. */
  countUnsettled(): number {
    return (this.s.countUnsettled.get() as { n: number }).n;
  }

  /** (executionId, event) → appends an executor event. */
  insertEvent(executionId: string, event: ExecutorEvent): void {
    this.s.insertEvent.run(executionId, JSON.stringify(event));
  }

  /** (limit) → the oldest events. */
  takeEvents(limit: number): StoredEvent[] {
    return (this.s.takeEvents.all(limit) as Array<{ id: number; execution_id: string; event: string }>).map(
      (r) => ({
        id: r.id,
        executionId: r.execution_id,
        event: JSON.parse(r.event) as ExecutorEvent,
      }),
    );
  }

  /** (id) → removes a decided event. */
  deleteEvent(id: number): void {
    this.s.deleteEvent.run(id);
  }

  /** (executionId, taskRunId, attempt, payload) → enqueues a job (idempotent per attempt). */
  insertJob(executionId: string, taskRunId: string, attempt: number, payload: JobPayload): void {
    this.s.insertJob.run(executionId, taskRunId, attempt, JSON.stringify(payload));
  }

  /** (owner, limit, leaseMs, now) → claims up to `limit` queued jobs under a lease. */
  claimJobs(owner: string, limit: number, leaseMs: number, now: number): Job[] {
    const rows = this.s.claimJobs.all({ owner, limit, until: now + leaseMs }) as Array<{
      id: number;
      execution_id: string;
      task_run_id: string;
      attempt: number;
      payload: string;
    }>;
    return rows
      .sort((a, b) => a.id - b.id)
      .map((r) => ({
        id: r.id,
        executionId: r.execution_id,
        taskRunId: r.task_run_id,
        attempt: r.attempt,
        payload: JSON.parse(r.payload) as JobPayload,
      }));
  }

  /** (jobId, owner) → removes a finished job if this owner still holds it. */
  completeJob(jobId: number, owner: string): boolean {
    return this.s.completeJob.run(jobId, owner).changes === 1;
  }

  /** (taskRunId) → drops a job not yet claimed; its attempt, if there was one. */
  deleteQueuedJob(taskRunId: string): number | undefined {
    return (this.s.deleteQueuedJob.get(taskRunId) as { attempt: number } | undefined)?.attempt;
  }

  /**
   * (owner) → removes this owner's running jobs (graceful stop past the grace
   * period) and stores a `workerLost` event for each, so that the next start
   * runs a new attempt of each; returns how many.
   */
  releaseJobs(owner: string): number {
    const rows = this.s.releaseJobs.all(owner) as Array<{
      execution_id: string;
      task_run_id: string;
      attempt: number;
    }>;
    for (const r of rows) {
      this.insertEvent(r.execution_id, { type: 'workerLost', taskRunId: r.task_run_id, attempt: r.attempt });
    }
    return rows.length;
  }

  /** (owner, jobIds, until ms) → renews the leases this owner still holds; how many were renewed. */
  extendLeases(owner: string, jobIds: readonly number[], until: number): number {
    if (jobIds.length === 0) return 0;
    return this.s.extendLeases.run({ owner, ids: JSON.stringify(jobIds), until }).changes;
  }

  /**
   * (now ms) → removes running jobs whose lease expired and stores a
   * `workerLost` event for each (a new attempt), as crash recovery does at
   * start; returns the removed jobs. Run it in a transaction.
   */
  requeueExpired(
    now: number,
  ): Array<{ jobId: number; executionId: string; taskRunId: string; attempt: number }> {
    const rows = this.s.expiredJobs.all(now) as Array<{
      id: number;
      execution_id: string;
      task_run_id: string;
      attempt: number;
    }>;
    return rows.map((r) => {
      this.insertEvent(r.execution_id, { type: 'workerLost', taskRunId: r.task_run_id, attempt: r.attempt });
      return { jobId: r.id, executionId: r.execution_id, taskRunId: r.task_run_id, attempt: r.attempt };
    });
  }

  /** () → removes jobs left RUNNING by a dead process; the caller turns them into `workerLost` events. */
  takeAbandonedJobs(): Array<{ executionId: string; taskRunId: string; attempt: number }> {
    return (
      this.s.abandonedJobs.all() as Array<{ execution_id: string; task_run_id: string; attempt: number }>
    ).map((r) => ({ executionId: r.execution_id, taskRunId: r.task_run_id, attempt: r.attempt }));
  }

  countJobs(): number {
    return (this.s.countJobs.get() as { n: number }).n;
  }

  /** (executionId, taskRunId, kind, dueAt ms) → stores a durable timer. */
  insertTimer(executionId: string, taskRunId: string, kind: TimerKind, dueAt: number): void {
    this.s.insertTimer.run(executionId, taskRunId, kind, dueAt);
  }

  /** (executionId) → drops all its timers. */
  deleteTimersOfExecution(executionId: string): void {
    this.s.deleteTimersOfExecution.run(executionId);
  }

  /** (taskRunId) → drops its timers. */
  deleteTimersOfTaskRun(taskRunId: string): void {
    this.s.deleteTimersOfTaskRun.run(taskRunId);
  }

  /** (now ms) → removes and returns the timers due. */
  takeDueTimers(now: number): Array<{ executionId: string; taskRunId: string; kind: TimerKind }> {
    return (
      this.s.dueTimers.all(now) as Array<{ execution_id: string; task_run_id: string; kind: TimerKind }>
    ).map((r) => ({ executionId: r.execution_id, taskRunId: r.task_run_id, kind: r.kind }));
  }

  /** () → the earliest due time (ms), or undefined. */
  earliestTimer(): number | undefined {
    return (this.s.earliestTimer.get() as { due: number | null }).due ?? undefined;
  }

  /** (log) → stores one log line. */
  insertLog(l: LogRow): void {
    this.s.insertLog.run(
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

  /** (executionId, minLevel, taskRunId?, afterId) → log rows in order. */
  logs(
    executionId: string,
    minLevel: number,
    taskRunId: string | null,
    after = 0,
  ): Array<Record<string, unknown>> {
    return this.s.logs.all({ executionId, minLevel, taskRunId, after }) as Array<Record<string, unknown>>;
  }

  /**
   * (filters, page, size, sort) → one page of executions and the total.
   * Filters: namespace (prefix match, as Kestra), flowId, states, labels (all must match),
   * start date range. Sort: `state.startDate`/`startDate`, `endDate`, `id`, `flowId`, `namespace`.
   */
  search(q: ExecutionSearch): { results: Execution[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.namespace) {
      where.push("(namespace = ? OR namespace LIKE ? ESCAPE '\\')");
      params.push(q.namespace, `${q.namespace.replace(/[%_\\]/g, (c) => `\\${c}`)}.%`);
    }
    if (q.flowId) {
      where.push('flow_id = ?');
      params.push(q.flowId);
    }
    if (q.states && q.states.length > 0) {
      where.push(`state IN (${q.states.map(() => '?').join(', ')})`);
      params.push(...q.states);
    }
    for (const l of q.labels ?? []) {
      where.push(
        "EXISTS (SELECT 1 FROM json_each(executions.labels) j WHERE j.value ->> 'key' = ? AND j.value ->> 'value' = ?)",
      );
      params.push(l.key, l.value);
    }
    const like = (v: string) => v.replace(/[%_\\]/g, (c) => `\\${c}`);
    for (const w of q.where ?? []) {
      const col = w.field === 'flowId' ? 'flow_id' : w.field;
      const marks = w.values.map(() => '?').join(', ');
      switch (w.op) {
        case 'EQUALS':
        case 'IN':
          where.push(`${col} IN (${marks})`);
          params.push(...w.values);
          break;
        case 'NOT_EQUALS':
        case 'NOT_IN':
          where.push(`${col} NOT IN (${marks})`);
          params.push(...w.values);
          break;
        case 'PREFIX':
          where.push(`(${col} = ? OR ${col} LIKE ? ESCAPE '\\')`);
          params.push(w.values[0], `${like(w.values[0]!)}.%`);
          break;
        case 'STARTS_WITH':
          where.push(`${col} LIKE ? ESCAPE '\\'`);
          params.push(`${like(w.values[0]!)}%`);
          break;
        case 'ENDS_WITH':
          where.push(`${col} LIKE ? ESCAPE '\\'`);
          params.push(`%${like(w.values[0]!)}`);
          break;
        case 'CONTAINS':
          where.push(`${col} LIKE ? ESCAPE '\\'`);
          params.push(`%${like(w.values[0]!)}%`);
          break;
      }
    }
    for (const l of q.notLabels ?? []) {
      where.push(
        "NOT EXISTS (SELECT 1 FROM json_each(executions.labels) j WHERE j.value ->> 'key' = ? AND j.value ->> 'value' = ?)",
      );
      params.push(l.key, l.value);
    }
    if (q.q) {
      const like = `%${q.q.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      where.push(
        "(lower(id) LIKE ? ESCAPE '\\' OR lower(namespace) LIKE ? ESCAPE '\\' OR lower(flow_id) LIKE ? ESCAPE '\\')",
      );
      params.push(like, like, like);
    }
    if (q.startDate) {
      where.push('start_date >= ?');
      params.push(q.startDate);
    }
    if (q.endDate) {
      where.push('start_date <= ?');
      params.push(q.endDate);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const columns: Record<string, string> = {
      'state.startDate': 'start_date',
      startDate: 'start_date',
      'state.endDate': 'end_date',
      endDate: 'end_date',
      id: 'id',
      flowId: 'flow_id',
      namespace: 'namespace',
      'state.current': 'state',
      state: 'state',
    };
    const order =
      (q.sort ?? [])
        .map((s) => {
          const [field, dir] = s.split(':');
          const col = columns[field ?? ''];
          return col ? `${col} ${dir?.toLowerCase() === 'asc' ? 'ASC' : 'DESC'}` : undefined;
        })
        .filter((x) => x !== undefined)
        .join(', ') || 'start_date DESC';
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM executions ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT doc FROM executions ${clause} ORDER BY ${order}, rowid DESC LIMIT ? OFFSET ?`)
      .all(...params, q.size, (q.page - 1) * q.size) as Array<{ doc: string }>;
    return { results: rows.map((r) => JSON.parse(r.doc) as Execution), total };
  }

  private row(e: Execution) {
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
}
