import type { Flow, Task } from '../flow/flow-model.js';
import type { Execution, TaskRun } from '../model/execution.js';
import { stateStartDate } from '../model/state.js';
import { insideLoop } from './loop-vars.js';
import { LOOPS } from './task-index.js';

/**
 * The loop values that address a task run's outputs: `outputs.t[v1][v2]`
 * for a task inside two loops. One value per loop ancestor, outermost first.
 */
export function loopValues(
  tr: TaskRun,
  byId: Map<string, TaskRun>,
  taskOf: (id: string) => Task | undefined,
): string[] {
  const values: string[] = [];
  let child = tr;
  let parent = tr.parentTaskRunId ? byId.get(tr.parentTaskRunId) : undefined;
  while (parent) {
    const ptask = taskOf(parent.taskId);
    if (ptask && LOOPS.has(ptask.type) && child.value !== undefined) values.unshift(child.value);
    child = parent;
    parent = parent.parentTaskRunId ? byId.get(parent.parentTaskRunId) : undefined;
  }
  return values;
}

/** `outputs` of the execution: each ended task run's outputs, nested by its loop values. */
export function outputsMap(
  execution: Execution,
  byId: Map<string, TaskRun>,
  taskOf: (id: string) => Task | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const tr of execution.taskRunList) {
    // Kestra 2.0: outputs inside a Loop iteration are not visible after it (only the declared ones).
    if (!tr.outputs || insideLoop(tr, byId, taskOf)) continue;
    const path = [tr.taskId, ...loopValues(tr, byId, taskOf)];
    let node = out;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i]!;
      const next = node[k];
      if (next && typeof next === 'object') node = next as Record<string, unknown>;
      else {
        const created: Record<string, unknown> = {};
        node[k] = created;
        node = created;
      }
    }
    const last = path[path.length - 1]!;
    const existing = node[last];
    node[last] =
      existing && typeof existing === 'object'
        ? { ...(existing as object), ...tr.outputs }
        : { ...tr.outputs };
  }
  return out;
}

/** The variables of the execution alone (flow outputs, afterExecution, conditions outside a task run). */
export function executionVariables(
  flow: Flow,
  execution: Execution,
  byId: Map<string, TaskRun>,
  taskOf: (id: string) => Task | undefined,
): Record<string, unknown> {
  const labels: Record<string, string> = {};
  for (const l of execution.labels) labels[l.key] = l.value;
  return {
    flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision },
    execution: {
      id: execution.id,
      startDate: stateStartDate(execution.state),
      originalId: execution.originalId ?? execution.id,
      state: execution.state.current,
      ...(execution.outputs ? { outputs: execution.outputs } : {}),
    },
    // Kestra defines `inputs` only for flows that declare inputs (`{{ inputs.x }}` is then "Unable to find `inputs`").
    ...(flow.inputs.length > 0 || Object.keys(execution.inputs).length > 0
      ? { inputs: execution.inputs }
      : {}),
    labels,
    vars: flow.variables,
    outputs: outputsMap(execution, byId, taskOf),
    envs: {},
    globals: {},
    ...(execution.trigger ? { trigger: execution.trigger.variables ?? {} } : {}),
  };
}

/**
 * Kestra's run-context variables for one task run: `flow`, `execution`,
 * `task`, `taskrun` (`attemptsCount` = attempts before the current one),
 * `parent`/`parents` (nearest first), `inputs`, `outputs`, `labels`, `vars`.
 */
export function taskRunVariables(
  base: Record<string, unknown>,
  tr: TaskRun,
  task: Task,
  byId: Map<string, TaskRun>,
  attemptsCount: number,
): Record<string, unknown> {
  const parents: Array<Record<string, unknown>> = [];
  let p = tr.parentTaskRunId ? byId.get(tr.parentTaskRunId) : undefined;
  while (p) {
    parents.push({
      taskrun: {
        id: p.id,
        value: p.value ?? null,
        ...(p.iteration !== undefined ? { iteration: p.iteration } : {}),
      },
      ...(p.outputs ? { outputs: p.outputs } : {}),
    });
    p = p.parentTaskRunId ? byId.get(p.parentTaskRunId) : undefined;
  }
  return {
    ...base,
    task: { id: task.id, type: task.type },
    taskrun: {
      id: tr.id,
      startDate: stateStartDate(tr.state),
      attemptsCount,
      ...(tr.parentTaskRunId ? { parentId: tr.parentTaskRunId } : {}),
      ...(tr.value !== undefined ? { value: tr.value } : {}),
      ...(tr.iteration !== undefined ? { iteration: tr.iteration } : {}),
    },
    ...(parents.length > 0 ? { parent: parents[0], parents } : {}),
  };
}
