import { isTerminal, type StateType } from '@silo/contracts';
import type { Task } from '../flow/flow-model.js';
import { isFailure, type TaskRun } from '../model/execution.js';
import { finalState } from '../model/final-state.js';
import type { DecisionContext, Scope } from './decision-context.js';
import { isTruthy } from './is-truthy.js';
import { iterationRuns, LOOP_TYPE, type LoopMemory } from './loop-vars.js';

export { LOOP_TYPE };

type LoopStatus = 'RUNNING' | StateType;

/** What the Loop needs of the walk (walk.ts), passed in to keep the modules acyclic. */
export type LoopWalk = {
  runList(
    ctx: DecisionContext,
    tasks: Task[],
    scope: Scope,
    mode: { kind: 'sequential' },
    branch: 'tasks',
  ): LoopStatus;
  finishWith(ctx: DecisionContext, tr: TaskRun, task: Task, main: StateType): LoopStatus;
};

const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** The rendered `values`: a list, a map (`item.key`), or a JSON string of either. */
function itemsOf(ctx: DecisionContext, tr: TaskRun, task: Task): { values: string[]; keys?: string[] } {
  let raw = task.props.values;
  if (typeof raw === 'string') {
    const rendered = ctx.render(raw, tr, task).trim();
    if (rendered.startsWith('kestra://'))
      throw new Error(
        `Loop '${task.id}': values from an internal-storage file (${rendered}, fetchType ${String(task.props.fetchType ?? 'AUTO')}) are not supported by Silo; pass a list`,
      );
    try {
      raw = JSON.parse(rendered);
    } catch {
      throw new Error(`Loop '${task.id}': unable to parse values as a JSON list or map: ${rendered}`);
    }
  } else if (Array.isArray(raw)) {
    raw = raw.map((v) => (typeof v === 'string' ? ctx.render(v, tr, task) : v));
  }
  if (Array.isArray(raw)) return { values: raw.map(asText) };
  if (raw !== null && typeof raw === 'object') {
    const entries = Object.entries(raw as Record<string, unknown>);
    return { values: entries.map(([, v]) => asText(v)), keys: entries.map(([k]) => k) };
  }
  throw new Error(`Loop '${task.id}': values must be a list or a map`);
}

/** Renders the declared `outputs` (and `breakWhen`) at the end of an iteration, in its last task run's context. */
function endIteration(
  ctx: DecisionContext,
  tr: TaskRun,
  task: Task,
  mem: LoopMemory,
  i: number,
  s: StateType,
) {
  const last = iterationRuns(ctx.exec.taskRunList, tr, i)[0];
  const lastTask = last ? ctx.task(last.taskId) : undefined;
  const outputs: Record<string, unknown> = {};
  const declared = (task.props.outputs ?? []) as Array<{ id: string; value: unknown }>;
  if (last && lastTask) {
    for (const o of declared)
      outputs[o.id] = typeof o.value === 'string' ? ctx.render(o.value, last, lastTask) : o.value;
  }
  mem.ended[i] = { state: s, outputs };
  const breakWhen = task.props.breakWhen;
  if (typeof breakWhen === 'string' && last && lastTask) {
    const vars = { ...ctx.varsFor(last, lastTask), iteration: { index: i, state: s, outputs } };
    if (isTruthy(ctx.deps.expressions.render(breakWhen, vars))) mem.broken = true;
  }
}

/** Kestra 2.0's Loop outputs: counts by state and, when declared, each iteration's outputs. */
function loopOutputs(task: Task, mem: LoopMemory, running: number): Record<string, unknown> {
  const terminated: Record<string, number> = {};
  for (const e of Object.values(mem.ended)) terminated[e.state] = (terminated[e.state] ?? 0) + 1;
  const out: Record<string, unknown> = {
    iterationCount: mem.values.length,
    runningIterations: running,
    terminatedIterations: terminated,
  };
  if (Array.isArray(task.props.outputs))
    out.outputs = Object.entries(mem.ended)
      .map(([i, e]) => ({ i: Number(i), e }))
      .sort((a, b) => a.i - b.i)
      .map(({ i, e }) => ({
        item: { value: mem.values[i], iteration: i, ...(mem.keys ? { key: mem.keys[i] } : {}) },
        outputs: e.outputs,
      }));
  return out;
}

/**
 * Kestra 2.0's `Loop` (DIALECTS.md): each item runs the `tasks` as one
 * iteration, up to `concurrencyLimit` at once (`0`, the default, is
 * unlimited); an iteration's tasks see `item.value`/`item.index` and each
 * other's outputs; after the loop only the declared `outputs` are readable
 * (`outputs.<loop>.outputs[n].outputs.<id>`). A failed iteration fails the
 * loop when `transmitFailed` (default true) once all have ended; `breakWhen`
 * stops new iterations.
 */
export function runLoopTask(ctx: DecisionContext, tr: TaskRun, task: Task, walk: LoopWalk): LoopStatus {
  const { runList, finishWith } = walk;
  const m = tr.memory as { loop?: LoopMemory };
  if (!m.loop) {
    const items = itemsOf(ctx, tr, task);
    m.loop = { ...items, ended: {} };
    ctx.touch(tr);
  }
  const mem = m.loop;
  const p = task.props;
  const limit = Number(p.concurrencyLimit ?? 0);
  const children = (Array.isArray(p.tasks) ? p.tasks : []) as Task[];
  const started = new Set(
    ctx
      .children(tr)
      .filter((c) => c.branch === 'tasks')
      .map((c) => c.iteration),
  );
  let active = 0;
  let waiting = false;
  for (const [i, value] of mem.values.entries()) {
    // A failed iteration is walked again: a restart moved its failed task runs to RESTARTED.
    const ended = mem.ended[i];
    if (ended && !isFailure(ended.state)) continue;
    if (!started.has(i)) {
      if (ctx.exec.killed || mem.broken) continue;
      if (limit > 0 && active >= limit) {
        waiting = true;
        continue;
      }
    }
    const scope: Scope = { parent: tr, value, iteration: i };
    const s = runList(ctx, children, scope, { kind: 'sequential' }, 'tasks');
    if (s === 'RUNNING') {
      active++;
      delete mem.ended[i];
    } else if (isTerminal(s)) {
      endIteration(ctx, tr, task, mem, i, s);
      ctx.touch(tr);
    }
  }
  tr.outputs = loopOutputs(task, mem, active);
  ctx.touch(tr);
  if (active > 0 || (waiting && !ctx.exec.killed && !mem.broken)) return 'RUNNING';
  const states = Object.values(mem.ended).map((e) => e.state);
  let main: StateType = finalState(states);
  if (p.transmitFailed === false && isFailure(main)) main = 'SUCCESS';
  return finishWith(ctx, tr, task, main);
}
