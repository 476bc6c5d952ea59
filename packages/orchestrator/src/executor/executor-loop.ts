import { isTerminal } from '@silo/contracts';
import type { Logger } from 'pino';
import type { Flow } from '../flow/flow-model.js';
import type { Execution } from '../model/execution.js';
import type { Clock } from '../ports/clock.js';
import type { EngineStores } from '../ports/engine-stores.js';
import type { Job } from '../ports/job-queue.js';
import { applyCommands, type Committed } from './apply-commands.js';
import { type DecideDeps, decide } from './decide.js';
import type { ExecutorEvent } from './events.js';
import type { ExecutorHooks } from './executor-hooks.js';
import { TenantSlots } from './tenant-slots.js';

export type ExecutorLoopOptions = {
  stores: EngineStores;
  /** The flow revision an execution runs. */
  flowOf(namespace: string, id: string, revision: number): Flow | undefined;
  deps: DecideDeps;
  /** Subflow and Flow-trigger work, run in each decision's transaction. */
  hooks?: ExecutorHooks;
  logger: Logger;
  /** Called after each committed decision (wake the worker, notify followers). */
  onCommitted(info: { execution: Execution; jobs: number; aborts: string[] }): void;
  clock: Clock;
  /** Events decided per tick before yielding to I/O. @default 256 */
  batchSize?: number;
  /** The tenant's `maxConcurrentExecutions` (SILO_MAX_CONCURRENT_EXECUTIONS); undefined: no cap. */
  maxConcurrentExecutions?: number;
  /**
   * The worker's part of each batch's transaction (`Worker.batch`): `results` are its finished
   * attempts' `taskResult` events, decided in the batch (after the stored events) without being
   * stored; `lease` claims a job the batch queues for the worker while it has a free slot; `after`
   * gets how many queued jobs found none; `settle` runs once the transaction committed (with the
   * jobs leased by committed decisions) or rolled back. One commit per batch for all of it.
   */
  worker?: {
    results(): Array<{ executionId: string; event: ExecutorEvent }>;
    lease(): { owner: string; until: number } | undefined;
    after(unclaimed: number): void;
    settle(committed: boolean, leased: readonly Job[]): void;
  };
};

/** An execution as stored, when the caller holds it already (no read back). */
type Known = { execution: Execution; version: number };

type PendingCreate = {
  execution: Execution;
  resolve(e: Execution): void;
  reject(err: unknown): void;
  inserted?: boolean;
  error?: unknown;
  started?: Execution;
};

/**
 * The executor's thin I/O loop around `decide`: takes stored events in
 * order, decides each, and applies the decision (execution, task runs,
 * jobs, timers, logs, follow-up events, event removal) in ONE transaction.
 * Woken in process (`wake()`), never by polling; durable timers wake it
 * through one `setTimeout` on the earliest due time.
 */
export class ExecutorLoop {
  private scheduled = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private timerDue: number | undefined;
  private busyNow = false;
  private creates: PendingCreate[] = [];
  private readonly tenantSlots: TenantSlots | undefined;
  constructor(private readonly o: ExecutorLoopOptions) {
    const limit = o.maxConcurrentExecutions;
    this.tenantSlots = limit === undefined ? undefined : new TenantSlots(o.stores, o.flowOf, limit);
  }

  get busy(): boolean {
    return this.busyNow || this.scheduled;
  }

  wake(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.tick());
  }

  /**
   * A new execution (CREATED), inserted and started in the next batch's transaction (group commit:
   * one commit for the creations, decisions, results and claims of a batch). Resolves once that
   * committed, with the execution as its start decision left it; rejects with the error that kept
   * it from being stored (then nothing of it is).
   */
  submit(execution: Execution): Promise<Execution> {
    if (this.stopped) {
      this.storeCreates([execution]);
      return Promise.resolve(execution);
    }
    return new Promise((resolve, reject) => {
      this.creates.push({ execution, resolve, reject });
      this.wake();
    });
  }

  /** Stores executions with their start event, in a transaction of their own (as `Engine.create`). */
  private storeCreates(created: readonly Execution[]): void {
    const { unitOfWork, executions, events } = this.o.stores;
    unitOfWork.atomically(() => {
      for (const e of created) {
        executions.insert(e);
        events.append(e.id, { type: 'start', runningInFlow: 0 });
      }
    });
  }

  stop(): void {
    this.stopped = true;
    // Submitted creations not yet in a batch: stored as the next start finds them.
    const pending = this.creates.splice(0);
    try {
      this.storeCreates(pending.map((p) => p.execution));
      for (const p of pending) p.resolve(p.execution);
    } catch (err) {
      for (const p of pending) p.reject(err);
    }
    if (this.timer) clearTimeout(this.timer);
  }

  /** At start: QUEUED executions take the free slots of `maxConcurrentExecutions` (after a restart, or a raised cap). */
  releaseTenantSlots(): void {
    const slots = this.tenantSlots;
    if (slots === undefined) return;
    if (this.o.stores.unitOfWork.atomically(() => slots.release()) > 0) this.wake();
  }

  /** Earliest durable timer (ms), for the lifecycle report. */
  nextWakeAt(): number | undefined {
    return this.o.stores.timers.earliest();
  }

  private tick(): void {
    this.scheduled = false;
    if (this.stopped) return;
    this.busyNow = true;
    const committed: Committed[] = [];
    const { worker } = this.o;
    let ok = false;
    const creates = this.creates.splice(0);
    try {
      // One outer transaction per batch (one commit for many decisions, the worker's results
      // and claims); each decision is its own nested transaction (a SAVEPOINT), so a failing
      // one rolls back alone.
      const decided = this.o.stores.unitOfWork.atomically(() => {
        for (const p of creates) {
          try {
            this.o.stores.unitOfWork.atomically(() => this.o.stores.executions.insert(p.execution));
            p.inserted = true;
          } catch (err) {
            p.error = err;
          }
        }
        const results = worker?.results() ?? [];
        this.fireDueTimers();
        const batch = this.o.stores.events.take(this.o.batchSize ?? 256);
        let unclaimed = 0;
        const decide = (id: number | undefined, executionId: string, event: ExecutorEvent, known?: Known) => {
          const c = this.process(id, executionId, event, known);
          if (!c) return undefined;
          committed.push(c);
          unclaimed += c.jobs - c.leased.length;
          return c.execution;
        };
        for (const e of batch) {
          if (this.stopped) break;
          decide(e.id, e.executionId, e.event);
        }
        // Not stored: decided in this transaction or, if it rolls back, handed back to the worker.
        for (const r of results) decide(undefined, r.executionId, r.event);
        for (const p of creates) {
          if (!p.inserted) continue;
          const known = { execution: p.execution, version: 1 };
          p.started = decide(undefined, p.execution.id, { type: 'start', runningInFlow: 0 }, known);
        }
        worker?.after(unclaimed);
        return batch.length + results.length + creates.length;
      });
      ok = true;
      for (const p of creates) {
        if (p.inserted) p.resolve(p.started ?? p.execution);
        else p.reject(p.error);
      }
      worker?.settle(
        true,
        committed.flatMap((c) => c.leased),
      );
      for (const c of committed) this.o.onCommitted(c);
      if (decided > 0) this.wake();
      this.armTimer();
    } catch (err) {
      for (const p of creates) p.reject(err);
      throw err;
    } finally {
      if (!ok) worker?.settle(false, []);
      this.busyNow = false;
    }
  }

  private fireDueTimers(): void {
    // In the batch's transaction (no savepoint of its own: most batches find no timer due).
    const { timers, events } = this.o.stores;
    for (const t of timers.takeDue(this.o.clock.now().getTime())) {
      if (t.kind === 'scheduledStart') events.append(t.executionId, { type: 'start', runningInFlow: 0 });
      else events.append(t.executionId, { type: 'timer', taskRunId: t.taskRunId, kind: t.kind });
    }
  }

  /** Sets one setTimeout on the earliest stored timer. */
  armTimer(): void {
    if (this.stopped) return;
    const due = this.o.stores.timers.earliest();
    if (due === undefined) return;
    if (this.timer && this.timerDue === due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerDue = undefined;
        this.wake();
      },
      Math.max(0, due - this.o.clock.now().getTime()),
    );
  }

  /**
   * Decides one event (stored as `eventId`, or not stored) and commits the outcome; an error drops
   * the event after logging it (never loops).
   */
  private process(
    eventId: number | undefined,
    executionId: string,
    event: ExecutorEvent,
    known?: Known,
  ): Committed | undefined {
    const { logger } = this.o;
    const { unitOfWork, executions, events } = this.o.stores;
    let committed: Committed | undefined;
    try {
      unitOfWork.atomically(() => {
        if (eventId !== undefined) events.remove(eventId);
        const found = known ?? executions.get(executionId);
        if (!found) return;
        const { execution, version } = found;
        const flow = this.o.flowOf(execution.namespace, execution.flowId, execution.flowRevision);
        if (!flow) {
          logger.error({ executionId }, 'flow of execution not found; event dropped');
          return;
        }
        const ev: ExecutorEvent =
          event.type === 'start'
            ? {
                type: 'start',
                // Read only where `decide` uses it: a flow with a `concurrency` limit.
                runningInFlow: flow.concurrency
                  ? executions.countActiveInFlow(execution.namespace, execution.flowId, execution.id)
                  : 0,
                ...(this.tenantSlots ? { tenantSlots: this.tenantSlots.slots(execution.id) } : {}),
              }
            : event;
        const now = this.o.clock.now();
        // Read before deciding: a row just read is this decision's own copy, decided in place.
        const state = execution.state.current;
        const d = decide(flow, execution, ev, now, this.o.deps, known === undefined);
        const next = d.execution;
        if (!executions.update(next, version)) {
          throw new Error(`execution ${executionId} changed under the executor`);
        }
        if (next.state.current !== state && !isTerminal(next.state.current))
          this.o.hooks?.executionStateChanged?.(next, flow);
        committed = applyCommands(d.commands, next, flow, now, {
          stores: this.o.stores,
          hooks: this.o.hooks,
          lease: this.o.worker ? () => this.o.worker?.lease() : undefined,
          releaseTenantSlot: this.tenantSlots ? () => this.tenantSlots?.release() : undefined,
        });
      });
    } catch (err) {
      logger.error({ err, executionId, event }, 'executor decision failed; event dropped');
      if (eventId !== undefined) events.remove(eventId);
      return undefined;
    }
    return committed;
  }
}
