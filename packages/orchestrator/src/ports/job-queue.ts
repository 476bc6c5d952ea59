import type { Task } from '../flow/flow-model.js';

export type JobPayload = {
  taskId: string;
  task: Task;
  variables: Record<string, unknown>;
  timeoutMs?: number;
  namespace: string;
  flowId: string;
};

export type Job = {
  id: number;
  executionId: string;
  taskRunId: string;
  attempt: number;
  payload: JobPayload;
};

/** A job removed from the queue without a result (its holder is gone): the caller records a new attempt. */
export type LostJob = { jobId: number; executionId: string; taskRunId: string; attempt: number };

/**
 * The worker's queue of task-run attempts, claimed under a lease (STYLE.md
 * rule 6): a holder renews its lease while it runs an attempt; a lease that
 * expires is swept back. Every write of a held job is guarded by the owner.
 *
 * @example
 * jobs.enqueue(executionId, taskRunId, 1, payload);
 * const [job] = jobs.claim('worker-1', 1, 60_000, Date.now());
 * jobs.complete(job!.id, 'worker-1'); // true
 */
export interface JobQueue {
  /**
   * Enqueues an attempt; idempotent per (taskRunId, attempt). With `lease`, the job is stored
   * already claimed by `lease.owner` until `lease.until` (ms) and returned as claimed (its payload
   * read back as a claim would); `undefined` otherwise, or when the attempt was already there.
   */
  enqueue(
    executionId: string,
    taskRunId: string,
    attempt: number,
    payload: JobPayload,
    lease?: { owner: string; until: number },
  ): Job | undefined;
  /** Claims up to `limit` queued jobs, oldest first, leased to `owner` until `now + leaseMs`. */
  claim(owner: string, limit: number, leaseMs: number, now: number): Job[];
  /** Removes a finished job if `owner` still holds it; false when the lease was lost. */
  complete(jobId: number, owner: string): boolean;
  /** Drops a job not yet claimed; its attempt, if there was one. */
  dropQueued(taskRunId: string): number | undefined;
  /** Removes every job `owner` holds (graceful stop past the grace period). */
  release(owner: string): LostJob[];
  /** Renews the leases `owner` still holds among `jobIds`, until `until` (ms); how many were renewed. */
  extendLeases(owner: string, jobIds: readonly number[], until: number): number;
  /** Removes held jobs whose lease ended before `now` (ms). */
  takeExpired(now: number): LostJob[];
  /** Removes every held job (left by a dead process: crash recovery at start). */
  takeAbandoned(): LostJob[];
  /** Jobs queued or held. */
  count(): number;
}
