import type { StateType } from '@silo/contracts';
import type { Task } from '../flow/flow-model.js';
import type { Execution, TaskRun } from '../model/execution.js';
import type { Clock } from '../ports/clock.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { ExecutionStore } from '../ports/execution-store.js';
import type { Expressions } from '../ports/expressions.js';
import type { InternalStorage } from '../storage/internal-storage.js';
import { type SplitOptions, splitItems } from '../storage/split-items.js';
import { closeAttempt, failAttempt } from './attempts.js';
import { type DecisionContext, errorMessage } from './decision-context.js';
import type { Command, ExecutorEvent } from './events.js';
import { buildChild, childLabels, type FlowLookup } from './subflow.js';

/** Kestra's ForEachItem: one child execution per batch of the rows of a storage file; the executor runs it. */
export const FOR_EACH_ITEM_TYPE = 'io.kestra.plugin.core.flow.ForEachItem';
/** The `trigger.type` of its children, as Kestra names it (`ExecutableUtils.isSubflow`). */
export const FOR_EACH_ITEM_CHILD_TRIGGER = 'io.kestra.plugin.core.flow.ForEachItem$ForEachItemExecutable';

/** What the split reads at most from the `items` file (bytes). */
export const MAX_ITEMS_BYTES = 64 * 1024 * 1024;

export type CreateForEachItemCommand = Extract<Command, { kind: 'createForEachItem' }>;
type CreatedEvent = Extract<ExecutorEvent, { type: 'forEachItemCreated' }>;
type EndedEvent = Extract<ExecutorEvent, { type: 'forEachItemEnded' }>;

/**
 * Starts an attempt of a ForEachItem task run. A fresh one renders `items`
 * (a `kestra://` URI), `namespace`, `flowId`, `batch` and `labels`, and asks
 * the loop to split the file and create the children. A restarted one with
 * `restartBehavior: RETRY_FAILED` (the default) restarts only its FAILED
 * children in place; with NEW_EXECUTION every batch gets a new child.
 */
export function startForEachItem(ctx: DecisionContext, tr: TaskRun, task: Task): void {
  const p = task.props;
  const previous = tr.memory?.children;
  if (previous && p.restartBehavior !== 'NEW_EXECUTION') {
    retryFailed(ctx, tr, previous);
    return;
  }
  let command: CreateForEachItemCommand;
  try {
    const vars = ctx.varsFor(tr, task, tr.attempts.length - 1);
    const str = (name: string): string => {
      const v = p[name];
      if (typeof v !== 'string' || v === '')
        throw new Error(`ForEachItem '${task.id}': property '${name}' is required`);
      return ctx.deps.expressions.render(v, vars).trim();
    };
    const items = str('items');
    if (!items.startsWith('kestra://'))
      throw new Error(`Unable to split the items from ${items}, this is not an internal storage URI!`);
    const batch = (
      p.batch === undefined ? {} : ctx.deps.expressions.renderValue(p.batch, vars)
    ) as SplitOptions;
    const revision = p.revision === undefined ? undefined : Number(p.revision);
    command = {
      kind: 'createForEachItem',
      parentId: ctx.exec.id,
      taskRunId: tr.id,
      taskId: task.id,
      items,
      batch: batch && typeof batch === 'object' && !Array.isArray(batch) ? batch : {},
      namespace: str('namespace'),
      flowId: str('flowId'),
      ...(revision !== undefined && Number.isInteger(revision) ? { revision } : {}),
      inputs: p.inputs ?? {},
      variables: vars,
      labels: childLabels(ctx, task, vars),
      wait: p.wait !== false,
      folder: [
        ...ctx.exec.namespace.split('.'),
        ctx.exec.flowId,
        'executions',
        ctx.exec.id,
        'tasks',
        task.id,
        tr.id,
      ],
    };
  } catch (err) {
    failAttempt(ctx, tr, task, errorMessage(err));
    return;
  }
  tr.memory = {};
  tr.outputs = null;
  ctx.touch(tr);
  ctx.commands.push(command);
}

/** RETRY_FAILED (Kestra `ExecutableUtils.subflowExecution` on a restarted parent): FAILED children restart in place. */
function retryFailed(ctx: DecisionContext, tr: TaskRun, children: string[]): void {
  const ended = { ...tr.memory?.ended };
  const failed = Object.entries(ended).filter(([, s]) => s === 'FAILED');
  for (const [i] of failed) delete ended[i];
  tr.memory = { children, ended };
  const iterations: Record<string, number> = { ...iterationsOf(tr), FAILED: 0 };
  iterations.CREATED = (iterations.CREATED ?? 0) + failed.length;
  tr.outputs = { ...tr.outputs, iterations };
  ctx.touch(tr);
  const ids = failed.map(([i]) => children[Number(i)]).filter((id): id is string => id !== undefined);
  if (ids.length > 0) ctx.commands.push({ kind: 'restartExecutions', executionIds: ids });
  else finishIfDone(ctx, tr);
}

/** The children were created (or not): the task run now counts its batches, or fails. */
export function onForEachItemCreated(ctx: DecisionContext, ev: CreatedEvent): void {
  const tr = ctx.byId.get(ev.taskRunId);
  if (tr?.state.current !== 'RUNNING' || tr.memory?.children) return;
  const task = ctx.task(tr.taskId);
  if (task?.type !== FOR_EACH_ITEM_TYPE) return;
  if (ev.error !== undefined || !ev.executionIds) {
    failAttempt(ctx, tr, task, ev.error ?? 'ForEachItem: no children were created');
    return;
  }
  const n = ev.executionIds.length;
  tr.memory = { children: ev.executionIds, ended: {} };
  tr.outputs = { numberOfBatches: n, iterations: { CREATED: n, RUNNING: 0 } };
  ctx.touch(tr);
  if (task.props.wait === false || n === 0) {
    closeAttempt(ctx, tr, 'SUCCESS');
    ctx.end(tr, task, 'SUCCESS');
  }
}

/** One child ended: its batch moves from CREATED to its state's counter; the last one ends the task run. */
export function onForEachItemEnded(ctx: DecisionContext, ev: EndedEvent): void {
  const tr = ctx.byId.get(ev.taskRunId);
  const mem = tr?.memory;
  if (tr?.state.current !== 'RUNNING' || !mem?.children) return;
  if (mem.children[ev.iteration] !== ev.executionId || mem.ended?.[ev.iteration] !== undefined) return;
  mem.ended = { ...mem.ended, [ev.iteration]: ev.state };
  const iterations = iterationsOf(tr);
  iterations.CREATED = Math.max(0, (iterations.CREATED ?? 0) - 1);
  iterations[ev.state] = (iterations[ev.state] ?? 0) + 1;
  tr.outputs = { ...tr.outputs, iterations };
  ctx.touch(tr);
  finishIfDone(ctx, tr);
}

function finishIfDone(ctx: DecisionContext, tr: TaskRun): void {
  const task = ctx.task(tr.taskId);
  const n = tr.memory?.children?.length ?? 0;
  if (!task || Object.keys(tr.memory?.ended ?? {}).length < n) return;
  const iterations = iterationsOf(tr);
  const end: StateType = task.props.transmitFailed === false ? 'SUCCESS' : terminalState(iterations);
  closeAttempt(
    ctx,
    tr,
    end === 'KILLED' ? 'KILLED' : end === 'SUCCESS' ? 'SUCCESS' : end === 'WARNING' ? 'WARNING' : 'FAILED',
  );
  if (end === 'KILLED') ctx.move(tr, 'KILLED');
  else ctx.end(tr, task, end);
}

/** Kestra `ExecutableUtils.findTerminalState`: FAILED, then KILLED, then WARNING, else SUCCESS. */
export function terminalState(
  iterations: Record<string, number>,
): 'FAILED' | 'KILLED' | 'WARNING' | 'SUCCESS' {
  if ((iterations.FAILED ?? 0) > 0) return 'FAILED';
  if ((iterations.KILLED ?? 0) > 0) return 'KILLED';
  if ((iterations.WARNING ?? 0) > 0) return 'WARNING';
  return 'SUCCESS';
}

function iterationsOf(tr: TaskRun): Record<string, number> {
  const it = tr.outputs?.iterations;
  return it && typeof it === 'object' ? { ...(it as Record<string, number>) } : {};
}

/** Kill cascade: the children still running are killed with their parent. */
export function killForEachItem(ctx: DecisionContext, tr: TaskRun): void {
  const mem = tr.memory;
  for (const [i, id] of (mem?.children ?? []).entries()) {
    if (mem?.ended?.[i] === undefined) ctx.commands.push({ kind: 'killExecution', executionId: id });
  }
}

export type ForEachItemHooksOptions = FlowLookup & {
  executions: Pick<ExecutionStore, 'insert' | 'get'>;
  events: EventQueue;
  storage: InternalStorage;
  expressions: Expressions;
  newId(): string;
  clock: Clock;
};

/**
 * The I/O side of ForEachItem, inside the executor's transaction:
 * `createForEachItem` reads the items (size-capped), writes one batch file
 * per batch under the task run's storage folder, renders the inputs of each
 * batch with `taskrun.items` (the batch URI) and `taskrun.iteration`, and
 * stores every child with its start event — all of them, or none and an
 * error event for the parent. When a child ends, its parent is told.
 */
export function createForEachItemHooks(o: ForEachItemHooksOptions) {
  const toParent = (parentId: string, ev: CreatedEvent | EndedEvent) => o.events.append(parentId, ev);

  return {
    createForEachItem(parent: Execution, c: CreateForEachItemCommand): void {
      const at = o.clock.now();
      const children: Execution[] = [];
      try {
        const batches = splitItems(o.storage.readText(c.items, MAX_ITEMS_BYTES), c.batch);
        const ext = extensionOf(c.items);
        const baseTaskrun = (c.variables.taskrun ?? {}) as Record<string, unknown>;
        batches.forEach((content, iteration) => {
          const uri = o.storage.put(c.folder, `batch-${iteration}${ext}`, content);
          const vars = { ...c.variables, taskrun: { ...baseTaskrun, items: uri, iteration } };
          const inputs = o.expressions.renderValue(c.inputs, vars);
          const built = buildChild(o, parent, {
            childId: o.newId(),
            taskId: c.taskId,
            taskRunId: c.taskRunId,
            namespace: c.namespace,
            flowId: c.flowId,
            ...(c.revision !== undefined ? { revision: c.revision } : {}),
            inputs:
              inputs && typeof inputs === 'object' && !Array.isArray(inputs)
                ? (inputs as Record<string, unknown>)
                : {},
            labels: c.labels,
            triggerId: `${c.taskId}_items`,
            triggerType: FOR_EACH_ITEM_CHILD_TRIGGER,
            variables: { taskRunIteration: iteration, taskRunItems: uri },
            at,
          });
          if (!built.ok) throw new Error(built.error);
          children.push(built.execution);
        });
      } catch (err) {
        o.storage.remove(c.folder);
        toParent(c.parentId, {
          type: 'forEachItemCreated',
          taskRunId: c.taskRunId,
          error: errorMessage(err),
        });
        return;
      }
      for (const child of children) {
        o.executions.insert(child);
        o.events.append(child.id, { type: 'start', runningInFlow: 0 });
      }
      toParent(c.parentId, {
        type: 'forEachItemCreated',
        taskRunId: c.taskRunId,
        executionIds: children.map((x) => x.id),
      });
    },

    /** A child ended: tell its parent (which ignores it unless it still waits for that batch). */
    executionEnded(child: Execution): void {
      const t = child.trigger;
      if (t?.type !== FOR_EACH_ITEM_CHILD_TRIGGER || !t.variables) return;
      const { executionId, taskRunId, taskRunIteration } = t.variables;
      if (typeof executionId !== 'string' || typeof taskRunId !== 'string') return;
      if (typeof taskRunIteration !== 'number' || !o.executions.get(executionId)) return;
      toParent(executionId, {
        type: 'forEachItemEnded',
        taskRunId,
        executionId: child.id,
        iteration: taskRunIteration,
        state: child.state.current,
      });
    },

    restartExecutions(ids: string[]): void {
      for (const id of ids) o.events.append(id, { type: 'restart' });
    },
  };
}

export type ForEachItemHooks = ReturnType<typeof createForEachItemHooks>;

/** The extension of the items file (`.ion`, `.jsonl`...), kept on each batch as Kestra does; none when absent. */
function extensionOf(uri: string): string {
  const last = uri.split('/').pop() ?? '';
  const m = /\.[A-Za-z0-9]{1,10}$/.exec(last);
  return m ? m[0] : '';
}
