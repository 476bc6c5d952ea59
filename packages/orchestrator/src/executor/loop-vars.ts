import type { StateType } from '@silo/contracts';
import type { Task } from '../flow/flow-model.js';
import type { TaskRun } from '../model/execution.js';

export const LOOP_TYPE = 'io.kestra.plugin.core.flow.Loop';

/** What a Loop task run remembers: the items, and each ended iteration's state and declared outputs. */
export type LoopMemory = {
  values: string[];
  /** Map values: the key of each item. */
  keys?: string[];
  ended: Record<number, { state: StateType; outputs: Record<string, unknown> }>;
  /** `breakWhen` held: no new iteration starts. */
  broken?: boolean;
};

/** The task runs of one iteration of a Loop task run (every depth), latest first. */
export function iterationRuns(all: readonly TaskRun[], loop: TaskRun, index: number): TaskRun[] {
  const inside = new Set<string>();
  const runs: TaskRun[] = [];
  for (const t of all) {
    const top = t.parentTaskRunId === loop.id && t.iteration === index && t.branch === 'tasks';
    if (top || (t.parentTaskRunId !== undefined && inside.has(t.parentTaskRunId))) {
      inside.add(t.id);
      runs.push(t);
    }
  }
  return runs.reverse();
}

/** The Loop iterations a task run is in, innermost first: the Loop task run and the iteration's index. */
function enclosing(
  tr: TaskRun,
  byId: ReadonlyMap<string, TaskRun>,
  taskOf: (id: string) => Task | undefined,
): Array<{ loop: TaskRun; index: number; value: string | undefined }> {
  const out: Array<{ loop: TaskRun; index: number; value: string | undefined }> = [];
  let child: TaskRun | undefined = tr;
  while (child?.parentTaskRunId) {
    const parent = byId.get(child.parentTaskRunId);
    if (!parent) break;
    if (taskOf(parent.taskId)?.type === LOOP_TYPE && child.iteration !== undefined)
      out.push({ loop: parent, index: child.iteration, value: child.value });
    child = parent;
  }
  return out;
}

/** Whether a task run is inside a Loop iteration (its outputs are then not visible after the loop). */
export function insideLoop(
  tr: TaskRun,
  byId: ReadonlyMap<string, TaskRun>,
  taskOf: (id: string) => Task | undefined,
): boolean {
  return enclosing(tr, byId, taskOf).length > 0;
}

/**
 * The variables of a task run inside Loop iterations: `item` (`value`,
 * `index`, `key` for map values; `parent`/`parents` for the enclosing
 * loops) and, in `outputs`, the outputs of the tasks of the same iteration
 * (`outputs.t.value`, Kestra 2.0 runs each iteration as its own execution).
 * Unchanged outside any Loop.
 */
export function withLoopVariables(
  vars: Record<string, unknown>,
  tr: TaskRun,
  all: readonly TaskRun[],
  byId: ReadonlyMap<string, TaskRun>,
  taskOf: (id: string) => Task | undefined,
): Record<string, unknown> {
  const loops = enclosing(tr, byId, taskOf);
  if (loops.length === 0) return vars;
  const items = loops.map(({ loop, index, value }) => {
    const keys = (loop.memory as { loop?: LoopMemory } | undefined)?.loop?.keys;
    return { value: value ?? null, index, ...(keys ? { key: keys[index] } : {}) };
  });
  const [first, ...outer] = items;
  const outputs = { ...((vars.outputs ?? {}) as Record<string, unknown>) };
  for (const { loop, index } of [...loops].reverse())
    for (const run of iterationRuns(all, loop, index).reverse())
      if (run.outputs) outputs[run.taskId] = run.outputs;
  return {
    ...vars,
    outputs,
    item: { ...first, ...(outer.length > 0 ? { parent: outer[0], parents: outer } : {}) },
  };
}
