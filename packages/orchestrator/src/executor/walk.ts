import { isTerminal, type StateType } from '@silo/contracts';
import type { Task } from '../flow/flow-model.js';
import { type Branch, isFailure, type TaskRun } from '../model/execution.js';
import { finalState } from '../model/final-state.js';
import { failAttempt } from './attempts.js';
import { type DecisionContext, errorMessage, type Scope } from './decision-context.js';
import { durationMs } from './durations.js';
import { FOR_EACH_ITEM_TYPE, startForEachItem } from './for-each-item.js';
import { isTruthy } from './is-truthy.js';
import { LOOP_TYPE, runLoopTask } from './loop.js';
import { SUBFLOW_TYPE, startSubflow } from './subflow.js';
import { isFlowable } from './task-index.js';

/** A branch either still runs, or ended in a final state. */
export type Status = 'RUNNING' | StateType;

type Mode =
  | { kind: 'sequential' }
  | { kind: 'parallel'; concurrent: number }
  | { kind: 'dag'; dependsOn: Map<string, string[]>; concurrent: number };

const SEQUENTIAL: Mode = { kind: 'sequential' };

export type Block = { tasks: Task[]; errors: Task[]; finally: Task[] };

/**
 * Runs a block as Kestra's `FlowableUtils.resolveSequentialNexts`/`resolveParallelNexts`:
 * the `tasks` branch, then `errors` if it failed, then `finally` whatever
 * happened. Its outcome is the `tasks` branch's; a failing `finally` fails it.
 */
export function runBlock(ctx: DecisionContext, block: Block, scope: Scope, mode: Mode = SEQUENTIAL): Status {
  const main = runList(ctx, block.tasks, scope, mode, 'tasks');
  if (main === 'RUNNING') return main;
  if (main === 'KILLED') return main;
  if (isFailure(main) && block.errors.length > 0) {
    const e = runList(ctx, block.errors, scope, SEQUENTIAL, 'errors');
    if (e === 'RUNNING') return e;
  }
  if (block.finally.length > 0) {
    const f = runList(ctx, block.finally, scope, SEQUENTIAL, 'finally');
    if (f === 'RUNNING') return f;
    if (isFailure(f) && !isFailure(main)) return 'FAILED';
  }
  return main;
}

/** Creates and advances the task runs of one list; answers RUNNING or the list's final state. */
export function runList(
  ctx: DecisionContext,
  tasks: Task[],
  scope: Scope,
  mode: Mode,
  branch: Branch,
): Status {
  const enabled = tasks.filter((t) => !t.disabled);
  const ended: StateType[] = [];
  if (mode.kind === 'sequential') {
    for (const task of enabled) {
      let tr = ctx.find(task.id, scope);
      if (!tr) {
        if (ctx.exec.killed) return finalState(ended);
        tr = start(ctx, task, scope, branch);
      } else progress(ctx, tr, task);
      const s = tr.state.current;
      if (!isTerminal(s)) return 'RUNNING';
      ended.push(s);
      if (isFailure(s)) return finalState(ended);
    }
    return finalState(ended);
  }
  let active = 0;
  let failed = false;
  let pending = false;
  const states = new Map<string, StateType>();
  for (const task of enabled) {
    const tr = ctx.find(task.id, scope);
    if (!tr) continue;
    progress(ctx, tr, task);
    states.set(task.id, tr.state.current);
    if (!isTerminal(tr.state.current)) active++;
    else if (isFailure(tr.state.current)) failed = true;
  }
  for (const task of enabled) {
    if (states.has(task.id)) continue;
    if (failed || ctx.exec.killed) continue;
    if (mode.kind === 'dag') {
      const deps = mode.dependsOn.get(task.id) ?? [];
      const ready = deps.every((d) => {
        const s = states.get(d);
        return s !== undefined && isTerminal(s) && !isFailure(s);
      });
      if (!ready) {
        pending = true;
        continue;
      }
    }
    if (mode.concurrent > 0 && active >= mode.concurrent) {
      pending = true;
      continue;
    }
    const tr = start(ctx, task, scope, branch);
    states.set(task.id, tr.state.current);
    if (!isTerminal(tr.state.current)) active++;
    else if (isFailure(tr.state.current)) failed = true;
  }
  if (active > 0) return 'RUNNING';
  if (pending && !failed && !ctx.exec.killed) return 'RUNNING';
  for (const s of states.values()) ended.push(s);
  return finalState(ended);
}

/** Creates a task run (SKIPPED when `runIf` is false, FAILED when it cannot render) and advances it. */
function start(ctx: DecisionContext, task: Task, scope: Scope, branch: Branch): TaskRun {
  const tr = ctx.create(task, scope, branch);
  if (task.runIf !== undefined) {
    let run: boolean;
    try {
      run = isTruthy(ctx.render(task.runIf, tr, task));
    } catch (err) {
      ctx.log('ERROR', errorMessage(err), tr);
      ctx.move(tr, 'FAILED');
      return tr;
    }
    if (!run) {
      ctx.move(tr, 'SKIPPED');
      return tr;
    }
  }
  progress(ctx, tr, task);
  return tr;
}

/** Advances one task run: submits runnable ones, walks the children of flowable ones. */
export function progress(ctx: DecisionContext, tr: TaskRun, task: Task): void {
  if (isTerminal(tr.state.current)) return;
  if (!isFlowable(task.type)) {
    if (tr.state.current === 'CREATED' || tr.state.current === 'RESTARTED') {
      if (ctx.exec.killed) ctx.move(tr, 'KILLED');
      else startAttempt(ctx, tr, task);
    }
    return;
  }
  progressFlowable(ctx, tr, task);
}

/** Starts the next attempt: a worker job, or a durable timer for Sleep. */
export function startAttempt(ctx: DecisionContext, tr: TaskRun, task: Task): void {
  const attemptsCount = tr.attempts.length;
  ctx.move(tr, 'RUNNING');
  tr.attempts.push({
    state: { current: 'RUNNING', histories: [{ state: 'RUNNING', date: ctx.now.toISOString() }] },
  });
  ctx.touch(tr);
  if (ctx.isSleep(task)) {
    let ms: number;
    try {
      const raw = task.props.duration;
      ms = durationMs(typeof raw === 'string' ? ctx.render(raw, tr, task) : raw);
    } catch (err) {
      failAttempt(ctx, tr, task, errorMessage(err));
      return;
    }
    ctx.commands.push({
      kind: 'setTimer',
      taskRunId: tr.id,
      timer: 'sleep',
      dueAt: new Date(ctx.now.getTime() + ms).toISOString(),
    });
    return;
  }
  if (task.type === SUBFLOW_TYPE) {
    startSubflow(ctx, tr, task);
    return;
  }
  if (task.type === FOR_EACH_ITEM_TYPE) {
    startForEachItem(ctx, tr, task);
    return;
  }
  ctx.commands.push({
    kind: 'runTask',
    taskRunId: tr.id,
    taskId: task.id,
    attempt: tr.attempts.length,
    task,
    variables: ctx.varsFor(tr, task, attemptsCount),
    ...(task.timeoutMs !== undefined ? { timeoutMs: task.timeoutMs } : {}),
  });
}

/** Fails a flowable task run with a logged reason. */
function failFlowable(ctx: DecisionContext, tr: TaskRun, task: Task, message: string): void {
  ctx.log('ERROR', message, tr);
  ctx.end(tr, task, 'FAILED');
}

function tasksOf(v: unknown): Task[] {
  return Array.isArray(v) ? (v as Task[]) : [];
}

function blockOf(task: Task, tasks: Task[]): Block {
  return { tasks, errors: task.errors ?? [], finally: task.finally ?? [] };
}

function progressFlowable(ctx: DecisionContext, tr: TaskRun, task: Task): void {
  if (tr.state.current === 'CREATED' || tr.state.current === 'RESTARTED') {
    if (ctx.exec.killed) {
      ctx.move(tr, 'KILLED');
      return;
    }
    ctx.move(tr, 'RUNNING');
  }
  if (tr.state.current !== 'RUNNING') return;
  const scope: Scope = { parent: tr, ...(tr.value !== undefined ? { value: tr.value } : {}) };
  const p = task.props;
  tr.memory ??= {};
  const mem = tr.memory;
  let status: Status;
  try {
    switch (task.type) {
      case 'io.kestra.plugin.core.flow.Parallel':
        status = runBlock(ctx, blockOf(task, tasksOf(p.tasks)), scope, {
          kind: 'parallel',
          concurrent: Number(p.concurrent ?? 0),
        });
        break;
      case 'io.kestra.plugin.core.flow.If': {
        if (!mem.branch) {
          const cond = ctx.render(String(p.condition ?? ''), tr, task);
          mem.branch = isTruthy(cond) ? 'then' : 'else';
          ctx.touch(tr);
        }
        status = runBlock(ctx, blockOf(task, tasksOf(mem.branch === 'then' ? p.then : p.else)), scope);
        break;
      }
      case 'io.kestra.plugin.core.flow.Switch': {
        const cases = (p.cases ?? {}) as Record<string, Task[]>;
        if (mem.caseKey === undefined) {
          const value = ctx.render(String(p.value ?? ''), tr, task);
          mem.caseKey = Object.hasOwn(cases, value) ? value : null;
          tr.outputs = { value, defaults: mem.caseKey === null };
          ctx.touch(tr);
        }
        const chosen = mem.caseKey === null ? tasksOf(p.defaults) : tasksOf(cases[mem.caseKey]);
        if (mem.caseKey === null && p.defaults === undefined) {
          failFlowable(
            ctx,
            tr,
            task,
            `No case matching '${String(tr.outputs?.value)}' and no defaults on Switch`,
          );
          return;
        }
        status = runBlock(ctx, blockOf(task, chosen), scope);
        break;
      }
      case 'io.kestra.plugin.core.flow.ForEach':
      case 'io.kestra.plugin.core.flow.EachSequential':
      case 'io.kestra.plugin.core.flow.EachParallel':
        status = runLoop(ctx, tr, task);
        if (status === 'FAILED' && tr.state.current !== 'RUNNING') return;
        break;
      case 'io.kestra.plugin.core.flow.Dag': {
        const entries = (Array.isArray(p.tasks) ? p.tasks : []) as Array<{
          task: Task;
          dependsOn?: string[];
        }>;
        const dependsOn = new Map(entries.map((e) => [e.task.id, e.dependsOn ?? []]));
        status = runBlock(
          ctx,
          blockOf(
            task,
            entries.map((e) => e.task),
          ),
          scope,
          { kind: 'dag', dependsOn, concurrent: Number(p.concurrent ?? 0) },
        );
        break;
      }
      case 'io.kestra.plugin.core.flow.Pause':
        if (!mem.resumed) {
          pause(ctx, tr, task);
          return;
        }
        status = runBlock(ctx, blockOf(task, tasksOf(p.tasks)), scope);
        break;
      case 'io.kestra.plugin.core.flow.LoopUntil':
        status = runLoopUntil(ctx, tr, task);
        break;
      case LOOP_TYPE:
        status = runLoopTask(ctx, tr, task, { runList, finishWith });
        break;
      default:
        // Sequential, AllowFailure, WorkingDirectory
        status = runBlock(ctx, blockOf(task, tasksOf(p.tasks)), scope);
    }
  } catch (err) {
    failFlowable(ctx, tr, task, errorMessage(err));
    return;
  }
  if (status === 'RUNNING' || isTerminal(tr.state.current)) return;
  let end: StateType = status === 'PAUSED' ? 'SUCCESS' : status;
  if (task.type === 'io.kestra.plugin.core.flow.AllowFailure' && end === 'FAILED') end = 'WARNING';
  ctx.end(tr, task, end);
}

/** Pause: RUNNING → PAUSED, with timers for `delay`/`pauseDuration` (resume) and `timeout` (fail). */
function pause(ctx: DecisionContext, tr: TaskRun, task: Task): void {
  const p = task.props;
  ctx.move(tr, 'PAUSED');
  const delay = p.delay ?? p.pauseDuration;
  if (delay !== undefined) {
    ctx.commands.push({
      kind: 'setTimer',
      taskRunId: tr.id,
      timer: 'pauseDelay',
      dueAt: new Date(ctx.now.getTime() + durationMs(delay)).toISOString(),
    });
  }
  if (p.timeout !== undefined || task.timeoutMs !== undefined) {
    ctx.commands.push({
      kind: 'setTimer',
      taskRunId: tr.id,
      timer: 'pauseTimeout',
      dueAt: new Date(ctx.now.getTime() + durationMs(p.timeout ?? task.timeoutMs)).toISOString(),
    });
  }
}

/** Java's `List.toString()` of the values, as Kestra's messages print them. */
function javaString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(javaString).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${javaString(x)}`)
      .join(', ')}}`;
  }
  return String(v);
}

/** Renders ForEach `values` (or Each* `value`): a JSON string or a list, into the iteration strings. */
function loopValuesOf(ctx: DecisionContext, tr: TaskRun, task: Task): string[] {
  const raw = task.props.values ?? task.props.value;
  let list: unknown;
  if (typeof raw === 'string') {
    const rendered = ctx.render(raw, tr, task);
    try {
      list = JSON.parse(rendered);
    } catch {
      throw new Error(`Unable to parse the values of '${task.id}' as a JSON array: ${rendered}`);
    }
  } else if (Array.isArray(raw)) {
    list = raw.map((v) => (typeof v === 'string' ? ctx.render(v, tr, task) : v));
  } else throw new Error(`'${task.id}' needs values: a JSON string or a list`);
  if (!Array.isArray(list)) throw new Error(`The values of '${task.id}' must be a list`);
  const nulls = list.filter((v) => v === null).length;
  if (nulls > 0) throw new Error(`Found '${nulls}' null values on Each, with values=${javaString(list)}`);
  return list.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

/** ForEach / EachSequential / EachParallel: each value runs the children, up to a concurrency limit. */
function runLoop(ctx: DecisionContext, tr: TaskRun, task: Task): Status {
  const mem = tr.memory!;
  if (!mem.values) {
    mem.values = loopValuesOf(ctx, tr, task);
    ctx.touch(tr);
  }
  const p = task.props;
  const parallelInside = task.type === 'io.kestra.plugin.core.flow.EachParallel';
  const limit =
    task.type === 'io.kestra.plugin.core.flow.ForEach'
      ? Number(p.concurrencyLimit ?? 1)
      : parallelInside
        ? Number(p.concurrent ?? 0)
        : 1;
  const children = tasksOf(p.tasks);
  const mode: Mode = parallelInside ? { kind: 'parallel', concurrent: 0 } : SEQUENTIAL;
  const started = new Set(ctx.children(tr).map((c) => c.value));
  let active = 0;
  let failed = false;
  let waiting = false;
  const ended: StateType[] = [];
  for (const value of mem.values) {
    const scope: Scope = { parent: tr, value };
    if (!started.has(value)) {
      if (failed || ctx.exec.killed) continue;
      if (limit > 0 && active >= limit) {
        waiting = true;
        continue;
      }
    }
    const s = runList(ctx, children, scope, mode, 'tasks');
    if (s === 'RUNNING') active++;
    else {
      ended.push(s);
      if (isFailure(s)) failed = true;
    }
  }
  if (active > 0 || (waiting && !failed && !ctx.exec.killed)) return 'RUNNING';
  const main = finalState(ended);
  return finishWith(ctx, tr, task, main);
}

/** The errors/finally of a loop, which run once after all the values. */
export function finishWith(ctx: DecisionContext, tr: TaskRun, task: Task, main: StateType): Status {
  const scope: Scope = { parent: tr };
  if (main === 'KILLED') return main;
  if (isFailure(main) && (task.errors ?? []).length > 0) {
    const e = runList(ctx, task.errors ?? [], scope, SEQUENTIAL, 'errors');
    if (e === 'RUNNING') return e;
  }
  if ((task.finally ?? []).length > 0) {
    const f = runList(ctx, task.finally ?? [], scope, SEQUENTIAL, 'finally');
    if (f === 'RUNNING') return f;
    if (isFailure(f) && !isFailure(main)) return 'FAILED';
  }
  return main;
}

/** LoopUntil: run the children, check `condition`, wait `checkFrequency.interval`, again, up to the limits. */
function runLoopUntil(ctx: DecisionContext, tr: TaskRun, task: Task): Status {
  const mem = tr.memory!;
  const p = task.props;
  const freq = (p.checkFrequency ?? {}) as Record<string, unknown>;
  const maxIterations = Number(freq.maxIterations ?? 100);
  const maxDurationMs = freq.maxDuration !== undefined ? durationMs(freq.maxDuration) : 3_600_000;
  const intervalMs = freq.interval !== undefined ? durationMs(freq.interval) : 1000;
  mem.iteration ??= 0;
  if (mem.waitingUntil !== undefined) return 'RUNNING';
  // Kestra's `outputs.<loop>.iterationCount`: the iteration being run, from 1, readable by the children.
  if (tr.outputs?.iterationCount !== mem.iteration + 1) {
    tr.outputs = { ...(tr.outputs ?? {}), iterationCount: mem.iteration + 1 };
    ctx.touch(tr);
  }
  const scope: Scope = {
    parent: tr,
    iteration: mem.iteration,
    ...(tr.value !== undefined ? { value: tr.value } : {}),
  };
  const s = runList(ctx, tasksOf(p.tasks), scope, SEQUENTIAL, 'tasks');
  if (s === 'RUNNING') return s;
  if (isFailure(s)) return finishWith(ctx, tr, task, s);
  if (isTruthy(ctx.render(String(p.condition ?? ''), tr, task))) return finishWith(ctx, tr, task, s);
  const elapsed = ctx.now.getTime() - Date.parse(tr.state.histories[0]!.date);
  if (mem.iteration + 1 >= maxIterations || elapsed + intervalMs > maxDurationMs) {
    ctx.log('WARN', `LoopUntil '${task.id}' reached its limit after ${mem.iteration + 1} iterations`, tr);
    return finishWith(ctx, tr, task, p.failOnMaxReached === true ? 'FAILED' : 'SUCCESS');
  }
  mem.waitingUntil = new Date(ctx.now.getTime() + intervalMs).toISOString();
  ctx.touch(tr);
  ctx.commands.push({ kind: 'setTimer', taskRunId: tr.id, timer: 'loopCheck', dueAt: mem.waitingUntil });
  return 'RUNNING';
}
