import type { Job, JobPayload, JobQueue, LostJob } from '../ports/job-queue.js';
import type { SqliteDatabase } from './database.js';

type LostRow = { id: number; execution_id: string; task_run_id: string; attempt: number };
const lost = (r: LostRow): LostJob => ({
  jobId: r.id,
  executionId: r.execution_id,
  taskRunId: r.task_run_id,
  attempt: r.attempt,
});

/** The worker's leased job queue (table `jobs`, migration 0003); every held-job write is guarded by the owner. */
export class SqliteJobQueue implements JobQueue {
  private readonly s;

  constructor(db: SqliteDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      /** (executionId, taskRunId, attempt, payload JSON); UNIQUE (task_run_id, attempt) makes it idempotent. */
      insert: p(
        `INSERT OR IGNORE INTO jobs (execution_id, task_run_id, attempt, state, payload) VALUES (?, ?, ?, 'QUEUED', ?)`,
      ),
      /**
       * (executionId, taskRunId, attempt, owner, until): stored already claimed, without its payload,
       * which only a claim reads (of a QUEUED job): a RUNNING job that is lost (crash, expired lease,
       * stop) becomes a `workerLost` event, and the executor queues a new attempt with a new payload.
       */
      insertLeased: p(
        `INSERT OR IGNORE INTO jobs (execution_id, task_run_id, attempt, state, payload, lease_owner, lease_until)
         VALUES (?, ?, ?, 'RUNNING', '', ?, ?)`,
      ),
      /** (owner, until, limit) → claimed rows. */
      claim: p(
        `UPDATE jobs SET state = 'RUNNING', lease_owner = @owner, lease_until = @until
         WHERE id IN (SELECT id FROM jobs WHERE state = 'QUEUED' ORDER BY id LIMIT @limit)
         RETURNING id, execution_id, task_run_id, attempt, payload`,
      ),
      /** (jobId, owner). */
      complete: p(`DELETE FROM jobs WHERE id = ? AND state = 'RUNNING' AND lease_owner = ?`),
      /** (taskRunId) → attempt. */
      dropQueued: p(`DELETE FROM jobs WHERE task_run_id = ? AND state = 'QUEUED' RETURNING attempt`),
      /** (owner) → released rows. */
      release: p(
        `DELETE FROM jobs WHERE state = 'RUNNING' AND lease_owner = ? RETURNING id, execution_id, task_run_id, attempt`,
      ),
      /** (owner, ids JSON, until). */
      extend: p(
        `UPDATE jobs SET lease_until = @until
         WHERE state = 'RUNNING' AND lease_owner = @owner AND id IN (SELECT value FROM json_each(@ids))`,
      ),
      /** (now) → expired rows. */
      expired: p(
        `DELETE FROM jobs WHERE state = 'RUNNING' AND lease_until < ? RETURNING id, execution_id, task_run_id, attempt`,
      ),
      /** () → every held row. */
      abandoned: p(
        `DELETE FROM jobs WHERE state = 'RUNNING' RETURNING id, execution_id, task_run_id, attempt`,
      ),
      /** () → n. */
      count: p('SELECT count(*) AS n FROM jobs'),
    };
  }

  enqueue(
    executionId: string,
    taskRunId: string,
    attempt: number,
    payload: JobPayload,
    lease?: { owner: string; until: number },
  ): Job | undefined {
    const json = JSON.stringify(payload);
    if (lease === undefined) {
      this.s.insert.run(executionId, taskRunId, attempt, json);
      return undefined;
    }
    const r = this.s.insertLeased.run(executionId, taskRunId, attempt, lease.owner, lease.until);
    if (r.changes !== 1) return undefined;
    // The payload as a claim would read it back (a private copy, JSON's types), without the query.
    const id = Number(r.lastInsertRowid);
    return { id, executionId, taskRunId, attempt, payload: JSON.parse(json) as JobPayload };
  }

  claim(owner: string, limit: number, leaseMs: number, now: number): Job[] {
    const rows = this.s.claim.all({ owner, limit, until: now + leaseMs }) as Array<
      LostRow & { payload: string }
    >;
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

  complete(jobId: number, owner: string): boolean {
    return this.s.complete.run(jobId, owner).changes === 1;
  }

  dropQueued(taskRunId: string): number | undefined {
    return (this.s.dropQueued.get(taskRunId) as { attempt: number } | undefined)?.attempt;
  }

  release(owner: string): LostJob[] {
    return (this.s.release.all(owner) as LostRow[]).map(lost);
  }

  extendLeases(owner: string, jobIds: readonly number[], until: number): number {
    if (jobIds.length === 0) return 0;
    return this.s.extend.run({ owner, ids: JSON.stringify(jobIds), until }).changes;
  }

  takeExpired(now: number): LostJob[] {
    return (this.s.expired.all(now) as LostRow[]).map(lost);
  }

  takeAbandoned(): LostJob[] {
    return (this.s.abandoned.all() as LostRow[]).map(lost);
  }

  count(): number {
    return (this.s.count.get() as { n: number }).n;
  }
}
