import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FlowNotFoundError } from '../executor/engine-errors.js';
import type { ExecutorEvent } from '../executor/events.js';
import type { ExecutorHooks } from '../executor/executor-hooks.js';
import { ExecutorLoop } from '../executor/executor-loop.js';
import { createForEachItemHooks } from '../executor/for-each-item.js';
import { replayExecution } from '../executor/replay.js';
import { createSubflowHooks } from '../executor/subflow-hooks.js';
import { executableRevision } from '../flow/drafts.js';
import type { Flow } from '../flow/flow-model.js';
import type { Execution } from '../model/execution.js';
import { newId } from '../model/new-id.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { EngineStores } from '../ports/engine-stores.js';
import type { ExecutionStore } from '../ports/execution-store.js';
import type { Expressions } from '../ports/expressions.js';
import type { FlowRepository } from '../ports/flow-repository.js';
import type { KvService } from '../ports/kv-store.js';
import type { LogStore } from '../ports/log-store.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { InternalStorage } from '../storage/internal-storage.js';
import type { RunnableTask } from '../worker/runnable-task.js';
import { CORE_TASKS } from '../worker/tasks/core-tasks.js';
import { Worker } from '../worker/worker.js';
import { engineExpressions } from './engine-expressions.js';
import { ExecutionAdmin } from './execution-admin.js';
import { ExecutionListeners } from './execution-listeners.js';
import {
  type CreateArgs,
  type CreateWithInputsArgs,
  newExecution,
  resolveCreation,
} from './new-execution.js';

export type EngineOptions = {
  stores: EngineStores;
  flows: FlowRepository;
  dataDir: string;
  logger: Logger;
  /** The one clock of the engine: executor loop, worker leases and logs, new executions. @default systemClock */
  clock?: Clock;
  kv?: KvService;
  /** Extra runnable tasks (KV, shell, HTTP...), beside the core ones. */
  tasks?: readonly RunnableTask[];
  /** Attempts running at once. @default 16 */
  workerConcurrency?: number;
  /** Lease of a worker job in ms (renewed while the attempt runs; swept when expired). @default 60000 */
  leaseMs?: number;
  /** Executor events decided per committed batch. @default 256 */
  executorBatchSize?: number;
  /** The tenant's `maxConcurrentExecutions`: top-level executions holding a slot at once; the rest wait QUEUED. */
  maxConcurrentExecutions?: number;
  /** The tenant's secrets: `secret('NAME')`, and their values masked in logs, outputs and errors. */
  secrets?: SecretStore;
  /** Called in the transaction of each change of an execution to a non-terminal state (Flow triggers on RUNNING, ...). */
  onExecutionStateChanged?: NonNullable<ExecutorHooks['executionStateChanged']>;
  /** The tenant id, the `flow.tenantId` of expressions. */
  tenantId?: string | undefined;
  /** Called in the transaction of each execution's end, after the Subflow parent is told (Flow triggers). */
  onExecutionEnded?: NonNullable<ExecutorHooks['executionEnded']>;
};

/**
 * The running engine of one instance, wired over its stores: the executor
 * loop and the worker, plus the operations the API calls (create, kill,
 * resume, restart, replay) and change notifications for `wait=true` and SSE
 * follow.
 */
export class Engine {
  readonly loop: ExecutorLoop;
  readonly worker: Worker;
  /** Renders as the executor does (engine functions; secret values masked in the result). */
  readonly expressions: Expressions;
  readonly executions: ExecutionStore;
  readonly logs: LogStore;
  readonly clock: Clock;
  /** Delete, labels, change of status: the API's writes outside the executor loop. */
  readonly admin: ExecutionAdmin;
  private readonly stores: EngineStores;
  private readonly listeners = new ExecutionListeners();
  private readonly flowCache = new Map<string, Flow>();
  activeStreams = 0;

  constructor(private readonly o: EngineOptions) {
    const { stores } = o;
    this.stores = stores;
    this.executions = stores.executions;
    this.logs = stores.logs;
    const clock = o.clock ?? systemClock;
    this.clock = clock;
    const notify = (e: Execution) => this.listeners.notify(e);
    this.admin = new ExecutionAdmin({ stores, dataDir: o.dataDir, clock, notify });
    const storage = new InternalStorage(o.dataDir);
    const expressions = engineExpressions({
      logs: stores.logs,
      storage,
      kv: o.kv,
      secrets: o.secrets,
      tenantId: o.tenantId,
    });
    this.expressions = expressions.executor;
    const flowOf = (ns: string, id: string, rev: number) => this.flow(ns, id, rev);
    // Subflows without a revision run the latest non-draft one (Kestra 2.0 drafts).
    const latestFlow = (ns: string, id: string) => executableRevision(o.flows, ns, id)?.flow;
    const common = { ...stores, flowOf, latestFlow, expressions: expressions.executor, clock };
    const subflows = createSubflowHooks(common);
    const forEachItems = createForEachItemHooks({ ...common, storage, newId });
    this.loop = new ExecutorLoop({
      stores,
      clock,
      flowOf,
      hooks: {
        createSubflow: subflows.createSubflow,
        killExecution: subflows.killExecution,
        createForEachItem: forEachItems.createForEachItem,
        restartExecutions: forEachItems.restartExecutions,
        retryExecution: (execution) => {
          this.replay(execution, undefined);
        },
        executionStateChanged: (execution, flow) => o.onExecutionStateChanged?.(execution, flow),
        executionEnded: (execution, flow) => {
          // The folders shared by WorkingDirectory tasks live until their execution ends.
          // existsSync first: rmSync of a missing folder throws and catches an error (with its stack) inside.
          const workdirs = join(o.dataDir, 'workdirs', execution.id);
          if (existsSync(workdirs)) rmSync(workdirs, { recursive: true, force: true });
          subflows.executionEnded(execution, flow);
          forEachItems.executionEnded(execution);
          o.onExecutionEnded?.(execution, flow);
        },
      },
      deps: {
        newId,
        expressions: expressions.executor,
        workingDir: (executionId, taskRunId) => join(o.dataDir, 'workdirs', executionId, `wd-${taskRunId}`),
      },
      logger: o.logger,
      ...(o.executorBatchSize !== undefined ? { batchSize: o.executorBatchSize } : {}),
      ...(o.maxConcurrentExecutions !== undefined
        ? { maxConcurrentExecutions: o.maxConcurrentExecutions }
        : {}),
      worker: {
        results: () => this.worker.batch.results(),
        lease: () => this.worker.batch.lease(),
        after: (unclaimed) => this.worker.batch.after(unclaimed),
        settle: (committed, leased) => this.worker.batch.settle(committed, leased),
      },
      onCommitted: ({ execution, jobs, aborts }) => {
        if (jobs > 0) this.worker.wake();
        for (const id of aborts) this.worker.abort(id);
        this.listeners.notify(execution);
      },
    });
    this.worker = new Worker({
      stores,
      clock,
      tasks: [...CORE_TASKS, ...(o.tasks ?? [])],
      expressions: expressions.forRun,
      dataDir: o.dataDir,
      logger: o.logger,
      onResult: () => this.loop.wake(),
      commitWithExecutor: true,
      services: {
        ...(o.kv ? { kv: o.kv } : {}),
        purgeExecutions: (q) => this.admin.purge(q),
        purgeLogs: (q) => stores.logs.deleteWhere(q),
      },
      concurrency: o.workerConcurrency ?? 16,
      ...(o.leaseMs !== undefined ? { leaseMs: o.leaseMs } : {}),
      ...(o.secrets ? { mask: o.secrets } : {}),
      workerId: `worker-${process.pid}-${newId().slice(0, 8)}`,
    });
  }

  /** Crash recovery, then start: jobs left RUNNING by a dead process become `workerLost` events (a new attempt each). */
  start(): void {
    const { unitOfWork, jobs, events } = this.stores;
    unitOfWork.atomically(() => {
      for (const j of jobs.takeAbandoned()) {
        events.append(j.executionId, { type: 'workerLost', taskRunId: j.taskRunId, attempt: j.attempt });
      }
    });
    this.loop.releaseTenantSlots();
    this.loop.wake();
    this.loop.armTimer();
    this.worker.wake();
    this.worker.startLeases();
  }

  async stop(graceMs: number): Promise<void> {
    this.loop.stop();
    await this.worker.stop(graceMs);
  }

  flow(namespace: string, id: string, revision: number): Flow | undefined {
    const key = `${namespace}\u0000${id}\u0000${revision}`;
    const hit = this.flowCache.get(key);
    if (hit) return hit;
    const rec = this.o.flows.get(namespace, id, { revision, allowDeleted: true });
    if (!rec) return undefined;
    this.flowCache.set(key, rec.flow);
    return rec.flow;
  }

  /** Creates an execution (CREATED) and its start event in one transaction. */
  create(flow: Flow, args: CreateArgs): Execution {
    const now = this.clock.now();
    const execution = newExecution(flow, args, now);
    if (args.failedByChecks) {
      this.stores.unitOfWork.atomically(() => this.stores.executions.insert(execution));
      return execution;
    }
    const later = args.scheduleDate !== undefined && args.scheduleDate.getTime() > now.getTime();
    const { unitOfWork, executions, timers, events } = this.stores;
    unitOfWork.atomically(() => {
      executions.insert(execution);
      if (later) timers.set(execution.id, execution.id, 'scheduledStart', args.scheduleDate!.getTime());
      else events.append(execution.id, { type: 'start', runningInFlow: 0 });
    });
    if (later) this.loop.armTimer();
    else this.loop.wake();
    return execution;
  }

  /**
   * Creates an execution of the live flow `namespace.flowId` from raw inputs —
   * the path of internal callers (conformance, tests, triggers) and of the
   * HTTP API (`resolveCreation`: inputs resolved and validated as the API
   * does, `InvalidInputsError`; `inputs: null` reads and validates nothing).
   */
  createWithInputs(
    flow: Flow,
    inputs: Record<string, unknown> | null,
    args: CreateWithInputsArgs = {},
  ): Execution {
    return this.create(flow, this.resolve(flow, inputs, args));
  }

  /**
   * As `createWithInputs`, but an execution that starts now is stored by the
   * executor's next batch (`ExecutorLoop.submit`: one commit for everything
   * that batch holds, its start decided in the same transaction) instead of
   * a transaction of its own. Resolves once committed (answer only then)
   * with the execution as created and as committed (its start decided).
   */
  async createCommitted(
    flow: Flow,
    inputs: Record<string, unknown> | null,
    args: CreateWithInputsArgs = {},
  ): Promise<{ created: Execution; current: Execution }> {
    const resolved = this.resolve(flow, inputs, args);
    if (resolved.failedByChecks || resolved.scheduleDate) {
      const created = this.create(flow, resolved);
      return { created, current: created };
    }
    const created = newExecution(flow, resolved, this.clock.now());
    return { created, current: await this.loop.submit(created) };
  }

  private resolve(
    flow: Flow,
    inputs: Record<string, unknown> | null,
    args: CreateWithInputsArgs,
  ): CreateArgs {
    return resolveCreation(flow, inputs, args, {
      dataDir: this.o.dataDir,
      now: args.now ?? this.clock.now(),
      expressions: this.expressions,
    });
  }

  /** The live flow `namespace.flowId` (current revision), or `FlowNotFoundError`. */
  liveFlow(namespace: string, flowId: string): Flow {
    const rec = executableRevision(this.o.flows, namespace, flowId);
    if (!rec) throw new FlowNotFoundError(namespace, flowId);
    return rec.flow;
  }

  /** Stores an event for an execution and wakes the loop. */
  send(executionId: string, event: ExecutorEvent): void {
    this.stores.events.append(executionId, event);
    this.loop.wake();
  }

  /**
   * Stores a replay of `original` (`replayExecution`), from `taskRunId` when
   * given; also the next attempt of a flow retry with behavior
   * CREATE_NEW_EXECUTION (then inside the executor's transaction).
   */
  replay(original: Execution, taskRunId: string | undefined): Execution {
    const execution = replayExecution(original, taskRunId, { newId, now: this.clock.now() });
    const { unitOfWork, executions, events } = this.stores;
    unitOfWork.atomically(() => {
      executions.insert(execution);
      events.append(execution.id, { type: 'start', runningInFlow: 0 });
    });
    this.loop.wake();
    return execution;
  }

  get(id: string): Execution | undefined {
    return this.executions.get(id)?.execution;
  }

  /** Calls `listener` on every committed change of the execution; returns the unsubscribe. */
  subscribe(executionId: string, listener: (execution: Execution) => void): () => void {
    return this.listeners.subscribe(executionId, listener);
  }

  /**
   * Resolves when the execution is settled (terminal, afterExecution done), or at `timeoutMs`;
   * `current`: its committed state as the caller holds it (not read again).
   */
  waitSettled(executionId: string, timeoutMs = 60_000, current?: Execution): Promise<Execution | undefined> {
    return this.listeners.waitSettled(executionId, (id) => this.get(id), timeoutMs, current);
  }

  /** What `GET /_silo/lifecycle` reports. */
  lifecycle() {
    const next = this.loop.nextWakeAt();
    return {
      busy: this.worker.activeCount > 0 || this.loop.busy || this.stores.jobs.count() > 0,
      activeStreams: this.activeStreams,
      pendingExecutions: this.executions.countUnsettled(),
      runningExecutions: this.executions.countActiveTopLevel(''),
      queuedExecutions: this.executions.countQueued(),
      nextWakeAt: next !== undefined ? new Date(next).toISOString() : null,
      nextWakeReason: next !== undefined ? 'timer' : null,
    };
  }
}
