import type { Clock } from '../ports/clock.js';
import type { Expressions } from '../ports/expressions.js';
import type { Job } from '../ports/job-queue.js';
import type { LogRow } from '../ports/log-store.js';
import type { AttemptAbort } from './attempt-abort.js';
import { attemptContext, type Masker } from './attempt-context.js';
import {
  NonRetryableTaskError,
  type RunnableTask,
  type TaskServices,
  TaskTimeoutError,
} from './runnable-task.js';

/** A finished attempt, to be committed: job removal (lease-guarded), its logs, the executor's `taskResult`. */
export type FinishedAttempt = {
  job: Job;
  logs: LogRow[];
  outcome: 'SUCCESS' | 'WARNING' | 'FAILED' | 'KILLED';
  outputs: Record<string, unknown> | undefined;
  error: string | undefined;
  nonRetryable: boolean;
  labels: Array<{ key: string; value: string }> | undefined;
};

export type AttemptDeps = {
  registry: ReadonlyMap<string, RunnableTask>;
  expressions: Expressions;
  clock: Clock;
  dataDir: string;
  services?: Omit<TaskServices, 'setLabels'> | undefined;
  mask?: Masker | undefined;
};

/** The attempt's lease expired and the sweep resubmitted it: its result is dropped. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(readonly taskRunId: string) {
    super(`lease of task run ${taskRunId} expired`);
  }
}

/**
 * Runs one attempt of `job`, aborted by `abort` (kill, timeout, lease lost,
 * shutdown), and returns what to commit, or `undefined` when its result must
 * be dropped (shutdown, lease lost).
 *
 * @example
 * const finished = await runAttempt(job, new AttemptAbort(), deps);
 */
export async function runAttempt(
  job: Job,
  abort: AttemptAbort,
  o: AttemptDeps,
): Promise<FinishedAttempt | undefined> {
  const { payload } = job;
  const task = payload.task;
  const { ctx, record } = attemptContext(job, abort, o);
  let outcome: FinishedAttempt['outcome'];
  let outputs: Record<string, unknown> | undefined;
  let error: string | undefined;
  let nonRetryable = false;
  let timeout: NodeJS.Timeout | undefined;
  try {
    const impl = o.registry.get(task.type);
    if (!impl) throw new NonRetryableTaskError(`Task type '${task.type}' is not available in this instance`);
    const run = impl.run(task, ctx);
    const aborted = new Promise<never>((_, reject) => {
      abort.onAbort(reject);
      if (payload.timeoutMs !== undefined) {
        timeout = setTimeout(
          () => abort.abort(new TaskTimeoutError(task.id, payload.timeoutMs!)),
          payload.timeoutMs,
        );
      }
    });
    run.catch(() => {});
    const result = await Promise.race([run, aborted]);
    outcome = result.state ?? 'SUCCESS';
    outputs = result.outputs && o.mask ? o.mask.mask(result.outputs) : result.outputs;
  } catch (err) {
    const reason = abort.aborted ? abort.reason : err;
    if (reason instanceof Error && reason.message === 'shutdown') return undefined;
    if (reason instanceof LeaseLostError) return undefined;
    if (abort.aborted && !(reason instanceof TaskTimeoutError)) {
      outcome = 'KILLED';
    } else {
      outcome = 'FAILED';
      error = reason instanceof Error ? reason.message : String(reason);
      if (o.mask) error = o.mask.maskText(error);
      nonRetryable = reason instanceof NonRetryableTaskError;
      ctx.log('ERROR', error);
    }
  } finally {
    if (timeout) clearTimeout(timeout);
  }
  // Task logs past the storage quota were dropped: the attempt fails, naming the quota.
  const overQuota = record.logBudget.error;
  if (overQuota !== undefined && outcome !== 'KILLED') {
    outcome = 'FAILED';
    error = overQuota.message;
    nonRetryable = true;
    const last = record.logs.at(-1);
    if (last)
      record.logs.push({
        ...last,
        level: 'ERROR',
        timestamp: o.clock.now().toISOString(),
        message: error,
      });
  }
  return { job, logs: record.logs, outcome, outputs, error, nonRetryable, labels: record.labels };
}
