import { isTerminal } from '@silo/contracts';
import type { Flow, RetryPolicy, Task } from '../flow/flow-model.js';
import { typedOutput } from '../flow/inputs/typed-output.js';
import { type Execution, isFailure, type TaskRun } from '../model/execution.js';
import { closeAttempt } from './attempts.js';
import { type DecideDeps, DecisionContext, errorMessage } from './decision-context.js';
import type { Command, ExecutorEvent } from './events.js';
import {
  FOR_EACH_ITEM_TYPE,
  killForEachItem,
  onForEachItemCreated,
  onForEachItemEnded,
} from './for-each-item.js';
import { decideRetry } from './retry.js';
import { killSubflow, onSubflowResult, SUBFLOW_TYPE } from './subflow.js';
import { isFlowable } from './task-index.js';
import { runBlock, runList, startAttempt } from './walk.js';

export type { DecideDeps } from './decision-context.js';

/** The outcome of one decision: the new execution, what to do, which task runs changed. */
export type Decision = {
  execution: Execution;
  commands: Command[];
  changedTaskRunIds: string[];
};

/**
 * The executor's pure decision (STYLE.md rule 5): given the flow, the
 * execution, one event and the time, the next execution and the commands
 * for the I/O loop. No I/O, no clock, no randomness except through `deps`.
 * Stale events (an attempt that is no longer current) change nothing.
 *
 * @example
 * const { execution, commands } = decide(flow, exec, { type: 'start', runningInFlow: 0 }, now, deps);
 */
export function decide(
  flow: Flow,
  execution: Execution,
  event: ExecutorEvent,
  now: Date,
  deps: DecideDeps,
  /** `execution` is the caller's private copy (just read from the store): decided in place, not cloned. */
  owned = false,
): Decision {
  const wasTerminal = isTerminal(execution.state.current);
  const ctx = new DecisionContext(flow, execution, now, deps, owned);
  apply(ctx, event);
  reconcile(ctx);
  // RETRIED is terminal, but the execution's end is its retry's end: no parent, trigger or slot is told.
  if (!wasTerminal && isTerminal(ctx.exec.state.current) && ctx.exec.state.current !== 'RETRIED') {
    ctx.commands.push({ kind: 'executionEnded', state: ctx.exec.state.current });
  }
  return { execution: ctx.exec, commands: ctx.commands, changedTaskRunIds: [...ctx.changed] };
}

function apply(ctx: DecisionContext, event: ExecutorEvent): void {
  const exec = ctx.exec;
  switch (event.type) {
    case 'start': {
      const s = exec.state.current;
      if (s !== 'CREATED' && s !== 'QUEUED') return;
      const c = ctx.flow.concurrency;
      if (c && event.runningInFlow >= c.limit) {
        if (c.behavior === 'QUEUE') ctx.moveExecution('QUEUED');
        else if (c.behavior === 'CANCEL') ctx.moveExecution('CANCELLED');
        else {
          ctx.log('ERROR', `Flow is FAILED due to concurrency limit exceeded (limit ${c.limit})`);
          ctx.moveExecution('FAILED');
        }
        return;
      }
      // The tenant's `maxConcurrentExecutions` (always QUEUE). A Subflow child runs in its parent's
      // slot (the parent waits for it), so it is neither gated nor counted: no deadlock under the cap.
      const t = event.tenantSlots;
      if (t && exec.parentId === undefined && t.running >= t.limit) {
        if (s === 'CREATED')
          ctx.log('INFO', `Execution queued: the tenant's maxConcurrentExecutions (${t.limit}) are running`);
        ctx.moveExecution('QUEUED');
        return;
      }
      ctx.moveExecution('RUNNING');
      return;
    }
    case 'taskResult':
      onTaskResult(ctx, event);
      return;
    case 'timer':
      onTimer(ctx, event.taskRunId, event.kind);
      return;
    case 'workerLost': {
      const tr = ctx.byId.get(event.taskRunId);
      if (tr?.state.current !== 'RUNNING' || tr.attempts.length !== event.attempt) return;
      const task = ctx.task(tr.taskId);
      if (!task) return;
      closeAttempt(ctx, tr, 'KILLED');
      ctx.log(
        'WARN',
        `Attempt ${event.attempt} was interrupted by a restart of the instance; resubmitted`,
        tr,
      );
      if (exec.killed) ctx.move(tr, 'KILLED');
      else startAttempt(ctx, tr, task);
      return;
    }
    case 'kill':
      onKill(ctx);
      return;
    case 'resume': {
      if (exec.state.current !== 'PAUSED') return;
      const resumed: string[] = [];
      for (const tr of exec.taskRunList) {
        if (tr.state.current !== 'PAUSED') continue;
        tr.memory = { ...tr.memory, resumed: true };
        // Kestra Pause.generateOutputs: `onResume` (when given) and `resumed {on, to}`; `on` is a LocalDateTime.
        const values = event.onResume?.[tr.id];
        tr.outputs = {
          ...tr.outputs,
          ...(values ? { onResume: values } : {}),
          resumed: { on: ctx.now.toISOString().slice(0, -1), to: 'SUCCESS' },
        };
        ctx.move(tr, 'RUNNING');
        resumed.push(tr.id);
      }
      if (resumed.length > 0) ctx.commands.push({ kind: 'cancelTimers', taskRunIds: resumed });
      ctx.moveExecution('RUNNING');
      return;
    }
    case 'restart':
      onRestart(ctx);
      return;
    case 'continue':
      return;
    case 'subflow':
      onSubflowResult(ctx, event);
      return;
    case 'forEachItemCreated':
      onForEachItemCreated(ctx, event);
      return;
    case 'forEachItemEnded':
      onForEachItemEnded(ctx, event);
      return;
  }
}

function onTaskResult(ctx: DecisionContext, ev: Extract<ExecutorEvent, { type: 'taskResult' }>): void {
  const tr = ctx.byId.get(ev.taskRunId);
  if (tr?.state.current !== 'RUNNING' || tr.attempts.length !== ev.attempt) return;
  const task = ctx.task(tr.taskId);
  if (!task) return;
  if (ev.labels) {
    ctx.exec.labels = ev.labels;
  }
  if (ctx.exec.killed || ev.outcome === 'KILLED') {
    closeAttempt(ctx, tr, 'KILLED');
    ctx.move(tr, 'KILLED');
    return;
  }
  if (ev.outcome === 'SUCCESS' || ev.outcome === 'WARNING') {
    closeAttempt(ctx, tr, ev.outcome);
    if (ev.outputs) tr.outputs = ev.outputs;
    ctx.end(tr, task, ev.outcome);
    return;
  }
  closeAttempt(ctx, tr, 'FAILED');
  const policy = ctx.retryPolicy(task);
  if (policy?.behavior === 'CREATE_NEW_EXECUTION') {
    retryAsNewExecution(ctx, tr, task, policy, ev.nonRetryable === true);
    return;
  }
  const first = tr.attempts[0]?.state.histories[0]?.date ?? ctx.now.toISOString();
  const retry = ev.nonRetryable
    ? ({ retry: false, reason: 'not retryable' } as const)
    : decideRetry(ctx.retryPolicy(task), {
        attemptsSoFar: tr.attempts.length,
        firstAttemptAt: Date.parse(first),
        now: ctx.now.getTime(),
        random: ctx.deps.random ?? Math.random,
      });
  if (!retry.retry) {
    ctx.end(tr, task, 'FAILED');
    return;
  }
  ctx.move(tr, 'RETRYING');
  ctx.commands.push({
    kind: 'setTimer',
    taskRunId: tr.id,
    timer: 'retry',
    dueAt: new Date(ctx.now.getTime() + retry.waitMs).toISOString(),
  });
}

/**
 * Retry behavior CREATE_NEW_EXECUTION (Kestra `ExecutorService.handleChildWorkerTaskResult`
 * + `ExecutionService.nextRetryDate`): the attempts counted are the
 * execution's (`attemptNumber`), the duration runs from the first execution
 * of the chain. While the policy allows one more, the task run and the
 * execution become RETRIED and a durable timer creates the replay at the
 * retry date; otherwise the task fails as usual.
 */
function retryAsNewExecution(
  ctx: DecisionContext,
  tr: TaskRun,
  task: Task,
  policy: RetryPolicy,
  nonRetryable: boolean,
): void {
  const exec = ctx.exec;
  const attempt = exec.attemptNumber ?? 1;
  const retry = nonRetryable
    ? ({ retry: false, reason: 'not retryable' } as const)
    : decideRetry(policy, {
        attemptsSoFar: attempt,
        firstAttemptAt: Date.parse(exec.originalCreatedDate ?? exec.state.histories[0]!.date),
        now: ctx.now.getTime(),
        random: ctx.deps.random ?? Math.random,
      });
  if (!retry.retry) {
    ctx.end(tr, task, 'FAILED');
    return;
  }
  const dueAt = new Date(ctx.now.getTime() + retry.waitMs).toISOString();
  ctx.move(tr, 'RETRIED');
  ctx.moveExecution('RETRIED');
  ctx.log('INFO', `Task failed; execution attempt ${attempt + 1} will be created at ${dueAt}`, tr);
  ctx.commands.push({ kind: 'setTimer', taskRunId: tr.id, timer: 'retryFlow', dueAt });
}

function onTimer(ctx: DecisionContext, taskRunId: string, kind: string): void {
  const tr = ctx.byId.get(taskRunId);
  if (!tr) return;
  const task = ctx.task(tr.taskId);
  if (!task || ctx.exec.killed) return;
  switch (kind) {
    case 'retry':
      if (tr.state.current === 'RETRYING') startAttempt(ctx, tr, task);
      return;
    case 'retryFlow':
      if (ctx.exec.state.current === 'RETRIED') ctx.commands.push({ kind: 'retryExecution' });
      return;
    case 'sleep':
      if (tr.state.current === 'RUNNING') {
        closeAttempt(ctx, tr, 'SUCCESS');
        ctx.end(tr, task, 'SUCCESS');
      }
      return;
    case 'pauseDelay':
      if (tr.state.current === 'PAUSED') {
        tr.memory = { ...tr.memory, resumed: true };
        ctx.move(tr, 'RUNNING');
        ctx.commands.push({ kind: 'cancelTimers', taskRunIds: [tr.id] });
      }
      return;
    case 'pauseTimeout':
      if (tr.state.current === 'PAUSED') {
        const behavior = String(task.props.behavior ?? 'FAIL');
        ctx.log('WARN', `Pause '${task.id}' timed out`, tr);
        ctx.commands.push({ kind: 'cancelTimers', taskRunIds: [tr.id] });
        if (behavior === 'RESUME') {
          tr.memory = { ...tr.memory, resumed: true };
          ctx.move(tr, 'RUNNING');
        } else ctx.move(tr, behavior === 'WARN' ? 'WARNING' : behavior === 'CANCEL' ? 'KILLED' : 'FAILED');
      }
      return;
    case 'loopCheck':
      if (tr.state.current === 'RUNNING' && tr.memory?.waitingUntil !== undefined) {
        const { waitingUntil: _w, ...rest } = tr.memory;
        tr.memory = { ...rest, iteration: (tr.memory.iteration ?? 0) + 1 };
        ctx.touch(tr);
      }
      return;
  }
}

function onKill(ctx: DecisionContext): void {
  const exec = ctx.exec;
  if (isTerminal(exec.state.current) || exec.killed) return;
  exec.killed = true;
  ctx.moveExecution('KILLING');
  ctx.commands.push({ kind: 'cancelTimers' });
  for (const tr of exec.taskRunList) {
    if (isTerminal(tr.state.current)) continue;
    const task = ctx.task(tr.taskId);
    if (task?.type === SUBFLOW_TYPE && tr.state.current === 'RUNNING') killSubflow(ctx, tr);
    if (task?.type === FOR_EACH_ITEM_TYPE && tr.state.current === 'RUNNING') killForEachItem(ctx, tr);
    const inWorker =
      tr.state.current === 'RUNNING' &&
      task !== undefined &&
      !isFlowable(task.type) &&
      !ctx.isSleep(task) &&
      task.type !== SUBFLOW_TYPE &&
      task.type !== FOR_EACH_ITEM_TYPE;
    if (inWorker) {
      ctx.commands.push({ kind: 'abortTask', taskRunId: tr.id });
      continue;
    }
    closeAttempt(ctx, tr, 'KILLED');
    ctx.move(tr, 'KILLED');
  }
}

/** Restart in place (Kestra `ExecutionService.restart`): failed task runs → RESTARTED, errors/finally runs dropped. */
function onRestart(ctx: DecisionContext): void {
  const exec = ctx.exec;
  const s = exec.state.current;
  if (s !== 'FAILED' && s !== 'KILLED' && s !== 'WARNING') return;
  const dropped = new Set<string>();
  for (const tr of exec.taskRunList) {
    const parentDropped = tr.parentTaskRunId !== undefined && dropped.has(tr.parentTaskRunId);
    if (tr.branch !== 'tasks' || parentDropped) dropped.add(tr.id);
  }
  exec.taskRunList = exec.taskRunList.filter((t) => !dropped.has(t.id));
  ctx.retrack();
  for (const tr of exec.taskRunList) {
    if (isFailure(tr.state.current)) ctx.move(tr, 'RESTARTED');
  }
  delete exec.killed;
  exec.outputs = null;
  ctx.moveExecution('RESTARTED');
  ctx.commands.push({ kind: 'continue' });
}

/** Walks the flow from the root and settles the execution's state. */
function reconcile(ctx: DecisionContext): void {
  const exec = ctx.exec;
  const s = exec.state.current;
  if (s === 'CREATED' || s === 'QUEUED') return;
  if (s === 'RESTARTED') {
    // Answered as RESTARTED first; the follow-up `continue` moves it on.
    if (ctx.commands.some((c) => c.kind === 'continue')) return;
    ctx.moveExecution('RUNNING');
  }
  if (exec.killed) {
    if (exec.taskRunList.every((t) => isTerminal(t.state.current))) ctx.moveExecution('KILLED');
    return;
  }
  if (!isTerminal(exec.state.current)) {
    const flow = ctx.flow;
    const status = runBlock(ctx, { tasks: flow.tasks, errors: flow.errors, finally: flow.finally }, {});
    if (status === 'RUNNING') {
      const paused = exec.taskRunList.some((t) => t.state.current === 'PAUSED');
      ctx.moveExecution(paused ? 'PAUSED' : 'RUNNING');
      return;
    }
    let end = status === 'PAUSED' ? 'SUCCESS' : status;
    if (flow.outputs.length > 0 && !isFailure(end)) {
      try {
        const vars = ctx.executionVars();
        const outputs: Record<string, unknown> = {};
        for (const o of flow.outputs)
          outputs[o.id] = typedOutput(o, ctx.deps.expressions.renderValue(o.value, vars));
        exec.outputs = outputs;
      } catch (err) {
        ctx.log('ERROR', `Failed to render the flow outputs: ${errorMessage(err)}`);
        exec.outputs = null;
        end = 'FAILED';
      }
    }
    ctx.moveExecution(end);
  }
  if (ctx.flow.afterExecution.length > 0) {
    runList(ctx, ctx.flow.afterExecution, {}, { kind: 'sequential' }, 'afterExecution');
  }
}
