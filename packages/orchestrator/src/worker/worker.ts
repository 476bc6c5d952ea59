import type { Logger } from 'pino';
import type { ExecutorEvent } from '../executor/events.js';
import type { Clock } from '../ports/clock.js';
import type { EngineStores } from '../ports/engine-stores.js';
import type { Expressions } from '../ports/expressions.js';
import type { Job, LostJob } from '../ports/job-queue.js';
import { AttemptAbort } from './attempt-abort.js';
import type { Masker } from './attempt-context.js';
import { type FinishedAttempt, LeaseLostError, runAttempt } from './run-attempt.js';
import type { RunnableTask, TaskServices } from './runnable-task.js';

export type WorkerOptions = {
  stores: Pick<EngineStores, 'unitOfWork' | 'jobs' | 'events' | 'logs'>;
  tasks: readonly RunnableTask[];
  /** Renders with the run's variables (and the engine's runtime functions). */
  expressions: (ctx: { executionId: string; namespace: string }) => Expressions;
  dataDir: string;
  logger: Logger;
  /** Called after a result is committed (wake the executor); with `commitWithExecutor`, when a result is ready. */
  onResult(): void;
  /**
   * The executor's batches commit the results and claim the jobs (`batch`), in their own
   * transaction; the worker commits alone only while it stops. @default false
   */
  commitWithExecutor?: boolean;
  services?: Omit<TaskServices, 'setLabels'>;
  /** Attempts running at once. @default 16 */
  concurrency?: number;
  /**
   * Lease of a claimed job, in ms. The worker renews the leases of the attempts
   * it is running every `leaseMs / 3` (a long task keeps its job), and sweeps
   * every `leaseMs / 2` the running jobs whose lease expired (`requeueExpired`):
   * their holder stopped renewing (its result could not be committed, it was
   * stopped in process...), so each becomes a new attempt. @default 60000
   */
  leaseMs?: number;
  /** The clock of leases and log timestamps (injected in tests). */
  clock: Clock;
  /** Lease owner id (unique per process start). */
  workerId: string;
  /** Masks secret values in what the attempt leaves behind (logs, outputs, error). */
  mask?: Masker;
};

/** A finished attempt's result, for the executor. */
export type ResultEvent = { executionId: string; event: Extract<ExecutorEvent, { type: 'taskResult' }> };

type Running = { job: Job; abort: AttemptAbort; done: Promise<void> };

/**
 * Runs runnable tasks: claims queued jobs under a lease, runs each attempt
 * with an AbortSignal (kill, timeout), and commits the result (logs + job
 * removal + executor event) in one transaction, guarded by the lease owner.
 */
export class Worker {
  private readonly running = new Map<string, Running>();
  private readonly results: FinishedAttempt[] = [];
  private readonly registry: Map<string, RunnableTask>;
  private accepting = true;
  private scheduled = false;
  private stopped = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly leaseMs: number;
  /** Queued jobs may be waiting for a free slot (at start, after a full claim, after a rollback). */
  private backlog = true;
  /** The results written and the jobs claimed in the executor's open batch (`batch`). */
  private writing: FinishedAttempt[] = [];
  private claimed: Job[] = [];
  /** Slots leased to jobs of the executor's open batch (`batch.lease`), not yet started. */
  private reserved = 0;

  constructor(private readonly o: WorkerOptions) {
    this.registry = new Map(o.tasks.map((t) => [t.type, t]));
    this.leaseMs = o.leaseMs ?? 60_000;
  }

  /** Starts the lease timers: renewal of running attempts, and the sweep of expired leases. */
  startLeases(): void {
    if (this.stopped || this.heartbeat) return;
    this.heartbeat = setInterval(() => this.renewLeases(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.sweeper = setInterval(() => this.requeueExpired(), Math.max(10, Math.floor(this.leaseMs / 2)));
    this.heartbeat.unref();
    this.sweeper.unref();
  }

  /** Extends the lease of every attempt this worker is running; returns how many it renewed. */
  renewLeases(): number {
    if (this.stopped || this.running.size === 0) return 0;
    const ids = [...this.running.values()].map((r) => r.job.id);
    return this.o.stores.jobs.extendLeases(this.o.workerId, ids, this.nowMs() + this.leaseMs);
  }

  /**
   * The sweep: running jobs whose lease expired become \`workerLost\` events (a
   * new attempt, as after a crash) in one transaction. If this worker still
   * runs one of them, that attempt is aborted and its result dropped (the
   * lease-guarded \`completeJob\` would refuse it anyway). Returns how many.
   */
  requeueExpired(): number {
    if (this.stopped) return 0;
    const lost = this.o.stores.unitOfWork.atomically(() =>
      this.resubmit(this.o.stores.jobs.takeExpired(this.nowMs())),
    );
    for (const j of lost) {
      const r = this.running.get(j.taskRunId);
      if (r && r.job.id === j.jobId) r.abort.abort(new LeaseLostError(j.taskRunId));
    }
    if (lost.length > 0) {
      this.o.logger.warn(
        {
          jobs: lost.map((j) => ({ executionId: j.executionId, taskRunId: j.taskRunId, attempt: j.attempt })),
        },
        'leases expired; task runs resubmitted as new attempts',
      );
      this.o.onResult();
    }
    return lost.length;
  }

  get activeCount(): number {
    return this.running.size;
  }

  /** Claims as many jobs as free slots allow. */
  wake(): void {
    if (this.scheduled || !this.accepting) return;
    // With the executor, its batches claim what they queue: the worker claims alone only a backlog.
    if (this.o.commitWithExecutor && !this.backlog) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.claim();
    });
  }

  private claim(): void {
    if (!this.accepting) return;
    for (const job of this.claimJobs()) this.start(job);
  }

  /** Claims up to the free slots; notes whether more may be queued (`backlog`). */
  private claimJobs(): Job[] {
    const free = (this.o.concurrency ?? 16) - this.running.size - this.reserved;
    if (free <= 0) {
      this.backlog = true;
      return [];
    }
    const jobs = this.o.stores.jobs.claim(this.o.workerId, free, this.leaseMs, this.nowMs());
    this.backlog = jobs.length >= free;
    return jobs;
  }

  /** Aborts the running attempt of a task run (kill). */
  abort(taskRunId: string): void {
    this.running.get(taskRunId)?.abort.abort(new Error('killed'));
  }

  /**
   * Graceful stop: no new claims; waits up to `graceMs` for running attempts
   * and commits their results, then records the unfinished ones as
   * `workerLost` events (the next start runs a new attempt of each) and
   * aborts them. Nothing touches the store afterwards.
   */
  async stop(graceMs: number): Promise<void> {
    this.accepting = false;
    clearInterval(this.heartbeat);
    clearInterval(this.sweeper);
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.flushResults();
    const requeued = this.o.stores.unitOfWork.atomically(
      () => this.resubmit(this.o.stores.jobs.release(this.o.workerId)).length,
    );
    this.stopped = true;
    for (const r of this.running.values()) r.abort.abort(new Error('shutdown'));
    if (requeued > 0)
      this.o.logger.info({ requeued }, 'unfinished task runs recorded; the next start runs a new attempt');
  }

  private nowMs(): number {
    return this.o.clock.now().getTime();
  }

  /** Each lost job becomes a `workerLost` event: the executor runs a new attempt (as after a crash). */
  private resubmit(lost: LostJob[]): LostJob[] {
    for (const j of lost) {
      this.o.stores.events.append(j.executionId, {
        type: 'workerLost',
        taskRunId: j.taskRunId,
        attempt: j.attempt,
      });
    }
    return lost;
  }

  private start(job: Job): void {
    const abort = new AttemptAbort();
    const entry: Running = { job, abort, done: Promise.resolve() };
    this.running.set(job.taskRunId, entry);
    entry.done = this.execute(job, abort).finally(() => {
      // A swept attempt may still be settling when the task run's next attempt starts here.
      if (this.running.get(job.taskRunId) === entry) this.running.delete(job.taskRunId);
      this.wake();
    });
  }

  private async execute(job: Job, abort: AttemptAbort): Promise<void> {
    const finished = await runAttempt(job, abort, {
      registry: this.registry,
      expressions: this.o.expressions({ executionId: job.executionId, namespace: job.payload.namespace }),
      clock: this.o.clock,
      dataDir: this.o.dataDir,
      services: this.o.services,
      mask: this.o.mask,
    });
    if (finished === undefined) return;
    if (!this.accepting && abort.aborted) return;
    this.results.push(finished);
    if (this.results.length > 1) return;
    // With the executor: its next batch commits the result with the decision it leads to.
    if (this.o.commitWithExecutor && this.accepting) this.o.onResult();
    else setImmediate(() => this.flushResults());
  }

  /** Commits the finished attempts together: job removal (lease-guarded), logs, executor events. */
  private flushResults(): void {
    if (this.stopped) return;
    const batch = this.results.splice(0);
    if (batch.length === 0) return;
    this.o.stores.unitOfWork.atomically(() => this.writeResults(batch));
    this.o.onResult();
  }

  /**
   * Removes the finished attempts' jobs (lease-guarded) and writes their logs; their results go to
   * the executor as `taskResult` events: stored (`append`), or returned to be decided at once.
   */
  private writeResults(batch: readonly FinishedAttempt[], append = true): ResultEvent[] {
    const { jobs, logs, events } = this.o.stores;
    const out: ResultEvent[] = [];
    for (const r of batch) {
      if (!jobs.complete(r.job.id, this.o.workerId)) continue;
      for (const l of r.logs) logs.append(l);
      const event: ResultEvent['event'] = {
        type: 'taskResult',
        taskRunId: r.job.taskRunId,
        attempt: r.job.attempt,
        outcome: r.outcome,
        ...(r.outputs ? { outputs: r.outputs } : {}),
        ...(r.error !== undefined ? { error: r.error } : {}),
        ...(r.nonRetryable ? { nonRetryable: r.nonRetryable } : {}),
        ...(r.labels ? { labels: r.labels } : {}),
      };
      if (append) events.append(r.job.executionId, event);
      else out.push({ executionId: r.job.executionId, event });
    }
    return out;
  }

  /**
   * The worker's part of the executor's batch transaction (`ExecutorLoop`
   * option `worker`, with `commitWithExecutor`): `results` removes the
   * finished attempts' jobs and hands their results to the batch, which
   * decides them in the same transaction (never stored as events); `lease`
   * gives a job the batch queues to this worker while a slot is free (the
   * job is stored claimed); `after` claims a backlog; `settle` starts the
   * claimed attempts once the transaction committed, or puts the results
   * back when it rolled back. One commit per batch for results, decisions
   * and claims, instead of one each.
   */
  readonly batch = {
    results: (): ResultEvent[] => {
      if (this.stopped || !this.accepting) return [];
      this.writing = this.results.splice(0);
      return this.writeResults(this.writing, false);
    },
    lease: (): { owner: string; until: number } | undefined => {
      if (!this.accepting || this.running.size + this.reserved >= (this.o.concurrency ?? 16))
        return undefined;
      this.reserved++;
      return { owner: this.o.workerId, until: this.nowMs() + this.leaseMs };
    },
    after: (unclaimed: number): void => {
      if (unclaimed > 0) this.backlog = true;
      this.claimed = this.accepting && this.backlog ? this.claimJobs() : [];
    },
    settle: (committed: boolean, leased: readonly Job[]): void => {
      const claimed = [...leased, ...this.claimed];
      this.claimed = [];
      this.reserved = 0;
      if (committed) for (const job of claimed) this.start(job);
      else {
        this.results.unshift(...this.writing);
        this.backlog = true;
      }
      this.writing = [];
    },
  };
}
