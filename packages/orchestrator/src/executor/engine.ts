import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isTerminal } from '@silo/contracts';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import type { Flow, Label } from '../flow/flow-model.js';
import { resolveInputs } from '../flow/inputs/index.js';
import { kvTemplateFunction } from '../kv/kv-function.js';
import { createExecution, type Execution, type ExecutionTrigger, isSettled } from '../model/execution.js';
import type { FlowRepository } from '../ports/flow-repository.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { SqliteDatabase } from '../sqlite/database.js';
import { ExecutionStore } from '../sqlite/execution-store.js';
import { InternalStorage } from '../storage/internal-storage.js';
import { readTemplateFunction } from '../storage/read-function.js';
import { render, renderValue, type TemplateFunction } from '../template/index.js';
import type { KvService, RunnableTask } from '../worker/runnable-task.js';
import { CORE_TASKS } from '../worker/tasks/core-tasks.js';
import { Worker } from '../worker/worker.js';
import { FlowNotFoundError, InvalidInputsError } from './engine-errors.js';
import type { ExecutorEvent } from './events.js';
import type { ExecutorHooks } from './executor-hooks.js';
import { ExecutorLoop } from './executor-loop.js';
import type { Expressions } from './expressions.js';
import { createForEachItemHooks } from './for-each-item.js';
import { fileStorer, removeStored } from './input-files.js';
import { createSubflowHooks } from './subflow.js';

export type EngineOptions = {
  db: SqliteDatabase;
  flows: FlowRepository;
  dataDir: string;
  logger: Logger;
  kv?: KvService;
  /** Extra runnable tasks (KV, shell, HTTP...), beside the core ones. */
  tasks?: readonly RunnableTask[];
  /** Attempts running at once. @default 16 */
  workerConcurrency?: number;
  /** Lease of a worker job in ms (renewed while the attempt runs; swept when expired). @default 60000 */
  leaseMs?: number;
  /** Executor events decided per committed batch. @default 256 */
  executorBatchSize?: number;
  /** The clock of worker leases (tests). @default Date.now */
  now?: () => number;
  /** The tenant's secrets: `secret('NAME')`, and their values masked in logs, outputs and errors. */
  secrets?: SecretStore;
  /** Called in the transaction of each change of an execution to a non-terminal state (Flow triggers on RUNNING, ...). */
  onExecutionStateChanged?: NonNullable<ExecutorHooks['executionStateChanged']>;
  /** The tenant id, the `flow.tenantId` of expressions. */
  tenantId?: string;
  /** Called in the transaction of each execution's end, after the Subflow parent is told (Flow triggers). */
  onExecutionEnded?: NonNullable<ExecutorHooks['executionEnded']>;
};

type Listener = (execution: Execution) => void;

/** Kestra's execution ids: 22 characters, base62-like. */
export const newExecutionId = (): string => nanoid(22).replace(/[-_]/g, 'x');

/**
 * The running engine of one instance: the store, the executor loop and the
 * worker, plus the operations the API calls (create, kill, resume, restart,
 * replay) and change notifications for `wait=true` and SSE follow.
 */
export class Engine {
  readonly store: ExecutionStore;
  readonly loop: ExecutorLoop;
  readonly worker: Worker;
  /** Renders as the executor does (engine functions; secret values masked in the result). */
  readonly expressions: Expressions;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly flowCache = new Map<string, Flow>();
  activeStreams = 0;

  constructor(private readonly o: EngineOptions) {
    this.store = new ExecutionStore(o.db);
    const storage = new InternalStorage(o.dataDir);
    const read = readTemplateFunction(storage);
    const functionsFor = (executionId: string, namespace: string): Record<string, TemplateFunction> => ({
      currentEachOutput: ([value], _named, ctx) => currentEachOutput(value, ctx.variables),
      errorLogs: () =>
        this.store
          .logs(executionId, 4, null)
          .map((l) => ({ taskId: l.task_id, message: l.message, level: l.level, timestamp: l.timestamp })),
      read,
      ...(o.kv ? { kv: kvTemplateFunction(o.kv, namespace) } : {}),
      ...(o.secrets ? { secret: o.secrets.templateFunction() } : {}),
    });
    // `flow.tenantId` (Kestra): the instance's tenant, added where the variables carry a `flow`.
    const withTenant = (vars: Record<string, unknown>): Record<string, unknown> =>
      o.tenantId !== undefined && typeof vars.flow === 'object' && vars.flow !== null
        ? { ...vars, flow: { ...(vars.flow as object), tenantId: o.tenantId } }
        : vars;
    const expressionsFor = (c: { executionId: string; namespace: string }): Expressions => {
      const functions = functionsFor(c.executionId, c.namespace);
      return {
        render: (t, vars) => render(t, withTenant(vars), { functions }),
        renderValue: (v, vars) => renderValue(v, withTenant(vars), { functions }),
      };
    };
    // The executor renders conditions and values: execution-level functions, looked up per execution.
    // What the executor renders lands in the execution JSON (flow outputs, Subflow outputs, Flow
    // trigger inputs): secret values are masked there. Tasks get the real values (worker renders).
    const mask = <T>(v: T): T => (o.secrets ? o.secrets.mask(v) : v);
    const executorExpressions: Expressions = {
      render: (t, vars) => mask(expressionsFor(idsOf(vars)).render(t, vars)),
      renderValue: (v, vars) => mask(expressionsFor(idsOf(vars)).renderValue(v, vars)),
    };
    this.expressions = executorExpressions;
    const subflows = createSubflowHooks({
      store: this.store,
      flowOf: (ns, id, rev) => this.flow(ns, id, rev),
      latestFlow: (ns, id) => o.flows.get(ns, id)?.flow,
      expressions: executorExpressions,
    });
    const forEachItems = createForEachItemHooks({
      store: this.store,
      storage,
      flowOf: (ns, id, rev) => this.flow(ns, id, rev),
      latestFlow: (ns, id) => o.flows.get(ns, id)?.flow,
      expressions: executorExpressions,
      newId: newExecutionId,
    });
    this.loop = new ExecutorLoop({
      store: this.store,
      flowOf: (ns, id, rev) => this.flow(ns, id, rev),
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
          rmSync(join(o.dataDir, 'workdirs', execution.id), { recursive: true, force: true });
          subflows.executionEnded(execution, flow);
          forEachItems.executionEnded(execution);
          o.onExecutionEnded?.(execution, flow);
        },
      },
      deps: {
        newId: () => nanoid(22).replace(/[-_]/g, 'x'),
        expressions: executorExpressions,
        workingDir: (executionId, taskRunId) => join(o.dataDir, 'workdirs', executionId, `wd-${taskRunId}`),
      },
      logger: o.logger,
      ...(o.executorBatchSize !== undefined ? { batchSize: o.executorBatchSize } : {}),
      onCommitted: ({ execution, jobs, aborts }) => {
        if (jobs > 0) this.worker.wake();
        for (const id of aborts) this.worker.abort(id);
        this.notify(execution);
      },
    });
    this.worker = new Worker({
      store: this.store,
      tasks: [...CORE_TASKS, ...(o.tasks ?? [])],
      expressions: expressionsFor,
      dataDir: o.dataDir,
      logger: o.logger,
      onResult: () => this.loop.wake(),
      ...(o.kv ? { services: { kv: o.kv } } : {}),
      concurrency: o.workerConcurrency ?? 16,
      ...(o.leaseMs !== undefined ? { leaseMs: o.leaseMs } : {}),
      ...(o.now ? { now: o.now } : {}),
      ...(o.secrets ? { mask: o.secrets } : {}),
      workerId: `worker-${process.pid}-${nanoid(8)}`,
    });
  }

  /** Crash recovery, then start: jobs left RUNNING by a dead process become `workerLost` events (a new attempt each). */
  start(): void {
    const { store } = this;
    store.db.transaction(() => {
      for (const j of store.takeAbandonedJobs()) {
        store.insertEvent(j.executionId, { type: 'workerLost', taskRunId: j.taskRunId, attempt: j.attempt });
      }
    })();
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
    },
  ): Execution {
    const id = args.id ?? newExecutionId();
    const labels = mergeLabels([...flow.labels, { key: 'system.correlationId', value: id }], args.labels);
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
      new Date(),
    );
    const later = args.scheduleDate !== undefined && args.scheduleDate.getTime() > Date.now();
    this.store.db.transaction(() => {
      this.store.insertExecution(execution);
      if (later) this.store.insertTimer(id, id, 'scheduledStart', args.scheduleDate!.getTime());
      else this.store.insertEvent(id, { type: 'start', runningInFlow: 0 });
    })();
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
    const id = newExecutionId();
    let values: Record<string, unknown> = {};
    if (inputs !== null) {
      const folder = [...flow.namespace.split('.'), flow.id, 'executions', id];
      const resolved = resolveInputs(flow.inputs, inputs, {
        now: args.now ?? new Date(),
        storeFile: fileStorer(this.o.dataDir, [...folder, 'inputs']),
      });
      if (!resolved.ok) {
        removeStored(this.o.dataDir, folder);
        throw new InvalidInputsError(resolved.issues);
      }
      values = resolved.values;
    }
    return this.create(flow, {
      id,
      inputs: values,
      labels: args.labels ?? [],
      ...(args.trigger ? { trigger: args.trigger } : {}),
      ...(args.scheduleDate ? { scheduleDate: args.scheduleDate } : {}),
    });
  }

  /** The live flow `namespace.flowId` (current revision), or `FlowNotFoundError`. */
  liveFlow(namespace: string, flowId: string): Flow {
    const rec = this.o.flows.get(namespace, flowId);
    if (!rec) throw new FlowNotFoundError(namespace, flowId);
    return rec.flow;
  }

  /** Stores an event for an execution and wakes the loop. */
  send(executionId: string, event: ExecutorEvent): void {
    this.store.insertEvent(executionId, event);
    this.loop.wake();
  }

  /**
   * A new execution from an old one (Kestra replay), from `taskRunId` when
   * given; also the next attempt of a flow retry with behavior
   * CREATE_NEW_EXECUTION (then inside the executor's transaction).
   */
  replay(original: Execution, taskRunId: string | undefined): Execution {
    const id = newExecutionId();
    const now = new Date().toISOString();
    const idMap = new Map<string, string>();
    let keep = original.taskRunList;
    if (taskRunId) {
      const index = keep.findIndex((t) => t.id === taskRunId);
      const ancestors = new Set<string>();
      let cur = keep[index];
      while (cur?.parentTaskRunId) {
        ancestors.add(cur.parentTaskRunId);
        cur = keep.find((t) => t.id === cur!.parentTaskRunId);
      }
      keep =
        index < 0
          ? []
          : keep.slice(0, index).filter((t) => isTerminal(t.state.current) || ancestors.has(t.id));
      keep = keep.filter((t) => t.branch === 'tasks');
      for (const t of keep) idMap.set(t.id, nanoid(22).replace(/[-_]/g, 'x'));
      keep = keep
        .filter((t) => !t.parentTaskRunId || idMap.has(t.parentTaskRunId))
        .map((t) => {
          const copy = structuredClone(t);
          copy.id = idMap.get(t.id)!;
          copy.executionId = id;
          if (t.parentTaskRunId) copy.parentTaskRunId = idMap.get(t.parentTaskRunId)!;
          if (ancestors.has(t.id)) {
            copy.state = { current: 'RUNNING', histories: [{ state: 'RUNNING', date: now }] };
          }
          return copy;
        });
    } else keep = [];
    const execution: Execution = {
      ...createExecution(
        {
          id,
          namespace: original.namespace,
          flowId: original.flowId,
          flowRevision: original.flowRevision,
          inputs: original.inputs,
          // Kestra's replay marks the new execution `system.restarted: true`.
          labels: mergeLabels(original.labels, [{ key: 'system.restarted', value: 'true' }]),
          parentId: original.id,
          originalId: original.originalId ?? original.id,
          ...(original.trigger ? { trigger: original.trigger } : {}),
        },
        new Date(),
      ),
      taskRunList: keep,
      // Kestra `metadata.nextAttempt()`: one more attempt, same original creation date.
      attemptNumber: (original.attemptNumber ?? 1) + 1,
      originalCreatedDate: original.originalCreatedDate ?? original.state.histories[0]!.date,
    };
    this.store.db.transaction(() => {
      this.store.insertExecution(execution);
      for (const t of keep) this.store.upsertTaskRun(t);
      this.store.insertEvent(id, { type: 'start', runningInFlow: 0 });
    })();
    this.loop.wake();
    return execution;
  }

  get(id: string): Execution | undefined {
    return this.store.getExecution(id)?.execution;
  }

  /** Calls `listener` on every committed change of the execution; returns the unsubscribe. */
  subscribe(executionId: string, listener: Listener): () => void {
    let set = this.listeners.get(executionId);
    if (!set) {
      set = new Set();
      this.listeners.set(executionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(executionId);
    };
  }

  /** Resolves when the execution is settled (terminal, afterExecution done), or at `timeoutMs`. */
  waitSettled(executionId: string, timeoutMs = 60_000): Promise<Execution | undefined> {
    const current = this.get(executionId);
    if (!current || isSettled(current)) return Promise.resolve(current);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(this.get(executionId));
      }, timeoutMs);
      const off = this.subscribe(executionId, (e) => {
        if (isSettled(e)) {
          clearTimeout(timer);
          off();
          resolve(e);
        }
      });
    });
  }

  private notify(execution: Execution): void {
    const set = this.listeners.get(execution.id);
    if (!set) return;
    for (const l of [...set]) l(execution);
  }

  /** What `GET /_silo/lifecycle` reports. */
  lifecycle() {
    const next = this.loop.nextWakeAt();
    return {
      busy: this.worker.activeCount > 0 || this.loop.busy || this.store.countJobs() > 0,
      activeStreams: this.activeStreams,
      pendingExecutions: this.store.countUnsettled(),
      nextWakeAt: next !== undefined ? new Date(next).toISOString() : null,
      nextWakeReason: next !== undefined ? 'timer' : null,
    };
  }
}

function idsOf(vars: Record<string, unknown>): { executionId: string; namespace: string } {
  const e = vars.execution as { id?: string } | undefined;
  const f = vars.flow as { namespace?: string } | undefined;
  return { executionId: e?.id ?? '', namespace: f?.namespace ?? '' };
}

/** Labels of `extra` override those of `base` with the same key, in place; new ones are appended. */
export function mergeLabels(base: Label[], extra: Label[]): Label[] {
  const m = new Map(base.map((l) => [l.key, l.value]));
  for (const l of extra) m.set(l.key, l.value);
  return [...m].map(([key, value]) => ({ key, value }));
}

/** Kestra's `currentEachOutput(outputs.x)`: indexes the value by the loop values of the current task run. */
function currentEachOutput(value: unknown, variables: Readonly<Record<string, unknown>>): unknown {
  const parents = (variables.parents ?? []) as Array<{ taskrun?: { value?: unknown } }>;
  const values = parents
    .map((p) => p.taskrun?.value)
    .reverse()
    .concat([(variables.taskrun as { value?: unknown } | undefined)?.value]);
  let node = value;
  for (const v of values) {
    if (typeof v !== 'string') continue;
    if (node && typeof node === 'object' && Object.hasOwn(node, v))
      node = (node as Record<string, unknown>)[v];
  }
  return node;
}
