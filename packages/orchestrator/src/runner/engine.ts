import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FlowNotFoundError, InvalidInputsError } from '../executor/engine-errors.js';
import type { ExecutorEvent } from '../executor/events.js';
import type { ExecutorHooks } from '../executor/executor-hooks.js';
import { ExecutorLoop } from '../executor/executor-loop.js';
import { createForEachItemHooks } from '../executor/for-each-item.js';
import { fileStorer, removeStored } from '../executor/input-files.js';
import { replayExecution } from '../executor/replay.js';
import { createSubflowHooks } from '../executor/subflow-hooks.js';
import { executableRevision } from '../flow/drafts.js';
import type { Flow, Label } from '../flow/flow-model.js';
import { resolveInputs } from '../flow/inputs/index.js';
import { createExecution, type Execution, type ExecutionTrigger } from '../model/execution.js';
import { mergeLabels } from '../model/labels.js';
import { newId } from '../model/new-id.js';
import { transition } from '../model/transitions.js';
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
import { applyChecks } from './flow-checks.js';

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
  create(
    flow: Flow,
    args: {
      inputs: Record<string, unknown>;
      labels: Label[];
      trigger?: ExecutionTrigger;
      id?: string;
      /** Start at this time (Kestra `scheduleDate`): the execution waits CREATED on a durable timer. */
      scheduleDate?: Date;
      /** A FAIL_EXECUTION check failed: stored FAILED, never started. */
      failedByChecks?: boolean;
    },
  ): Execution {
    const id = args.id ?? newId();
    const labels = mergeLabels([...flow.labels, { key: 'system.correlationId', value: id }], args.labels);
    const now = this.clock.now();
    const execution = createExecution(
      {
        id,
        namespace: flow.namespace,
        flowId: flow.id,
        flowRevision: flow.revision,
        inputs: args.inputs,
        labels,
        ...(args.trigger ? { trigger: args.trigger } : {}),
        ...(args.scheduleDate ? { scheduleDate: args.scheduleDate.toISOString() } : {}),
      },
      now,
    );
    if (args.failedByChecks) {
      execution.state = transition('execution', execution.state, 'FAILED', now);
      this.stores.unitOfWork.atomically(() => this.stores.executions.insert(execution));
      return execution;
    }
    const later = args.scheduleDate !== undefined && args.scheduleDate.getTime() > now.getTime();
    const { unitOfWork, executions, timers, events } = this.stores;
    unitOfWork.atomically(() => {
      executions.insert(execution);
      if (later) timers.set(id, id, 'scheduledStart', args.scheduleDate!.getTime());
      else events.append(id, { type: 'start', runningInFlow: 0 });
    });
    if (later) this.loop.armTimer();
    else this.loop.wake();
    return execution;
  }

  /**
   * Creates an execution of the live flow `namespace.flowId` from raw inputs —
   * the path of internal callers (conformance, tests, triggers) and of the
   * HTTP API. With `inputs` given, they are resolved and validated exactly as
   * the API does (files stored under the execution's folder; removed again if
   * any input is refused → `InvalidInputsError`). With `inputs: null` nothing
   * is read or validated, as Kestra's `runOne(ns, id)` with null inputs
   * (`Execution.newExecution` reads inputs only when given): required inputs
   * without defaults are simply absent. The HTTP API always passes a map
   * (possibly empty), so it always validates.
   */
  createWithInputs(
    flow: Flow,
    inputs: Record<string, unknown> | null,
    args: { labels?: Label[]; trigger?: ExecutionTrigger; now?: Date; scheduleDate?: Date } = {},
  ): Execution {
    const id = newId();
    let values: Record<string, unknown> = {};
    if (inputs !== null) {
      const folder = [...flow.namespace.split('.'), flow.id, 'executions', id];
      const resolved = resolveInputs(flow.inputs, inputs, {
        now: args.now ?? this.clock.now(),
        storeFile: fileStorer(this.o.dataDir, [...folder, 'inputs']),
      });
      if (!resolved.ok) {
        removeStored(this.o.dataDir, folder);
        throw new InvalidInputsError(resolved.issues);
      }
      values = resolved.values;
    }
    let outcome: 'RUN' | 'FAILED' = 'RUN';
    try {
      outcome = applyChecks(flow, values, this.expressions);
    } catch (err) {
      removeStored(this.o.dataDir, [...flow.namespace.split('.'), flow.id, 'executions', id]);
      throw err;
    }
    return this.create(flow, {
      id,
      ...(outcome === 'FAILED' ? { failedByChecks: true } : {}),
      inputs: values,
      labels: args.labels ?? [],
      ...(args.trigger ? { trigger: args.trigger } : {}),
      ...(args.scheduleDate ? { scheduleDate: args.scheduleDate } : {}),
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
      for (const t of execution.taskRunList) executions.upsertTaskRun(t);
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

  /** Resolves when the execution is settled (terminal, afterExecution done), or at `timeoutMs`. */
  waitSettled(executionId: string, timeoutMs = 60_000): Promise<Execution | undefined> {
    return this.listeners.waitSettled(executionId, (id) => this.get(id), timeoutMs);
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
