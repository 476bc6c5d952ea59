import type { Flow, Task } from '../flow/flow-model.js';
import type { Branch } from '../model/execution.js';

/** Where a task sits in the flow. */
export type TaskPlace = { task: Task; parent?: Task; branch: Branch };

const FLOWABLE = new Set([
  'io.kestra.plugin.core.flow.Sequential',
  'io.kestra.plugin.core.flow.Parallel',
  'io.kestra.plugin.core.flow.If',
  'io.kestra.plugin.core.flow.Switch',
  'io.kestra.plugin.core.flow.ForEach',
  'io.kestra.plugin.core.flow.EachSequential',
  'io.kestra.plugin.core.flow.EachParallel',
  'io.kestra.plugin.core.flow.AllowFailure',
  'io.kestra.plugin.core.flow.Dag',
  'io.kestra.plugin.core.flow.Pause',
  'io.kestra.plugin.core.flow.LoopUntil',
  'io.kestra.plugin.core.flow.WorkingDirectory',
  'io.kestra.plugin.core.flow.Loop',
]);

/** Loops: their children carry the iteration `value`. */
export const LOOPS = new Set([
  'io.kestra.plugin.core.flow.ForEach',
  'io.kestra.plugin.core.flow.EachSequential',
  'io.kestra.plugin.core.flow.EachParallel',
]);

export const SLEEP_TYPE = 'io.kestra.plugin.core.flow.Sleep';

/** True for the task types the executor runs itself (no worker job). */
export function isFlowable(type: string): boolean {
  return FLOWABLE.has(type);
}

/** The direct child task lists of a task, each with the branch it is in. */
export function childLists(task: Task): Array<{ tasks: Task[]; branch: Branch }> {
  const p = task.props;
  const lists: Array<{ tasks: Task[]; branch: Branch }> = [];
  const asTasks = (v: unknown): Task[] => (Array.isArray(v) ? (v as Task[]) : []);
  if (task.type === 'io.kestra.plugin.core.flow.Dag') {
    lists.push({
      tasks: asTasks(p.tasks).map((d) => (d as unknown as { task: Task }).task),
      branch: 'tasks',
    });
  } else {
    lists.push({ tasks: asTasks(p.tasks), branch: 'tasks' });
  }
  lists.push({ tasks: asTasks(p.then), branch: 'tasks' }, { tasks: asTasks(p.else), branch: 'tasks' });
  if (p.cases && typeof p.cases === 'object') {
    for (const list of Object.values(p.cases as Record<string, unknown>))
      lists.push({ tasks: asTasks(list), branch: 'tasks' });
  }
  lists.push({ tasks: asTasks(p.defaults), branch: 'tasks' });
  lists.push(
    { tasks: task.errors ?? [], branch: 'errors' },
    { tasks: task.finally ?? [], branch: 'finally' },
  );
  return lists;
}

const cache = new WeakMap<Flow, Map<string, TaskPlace>>();

/** Every task of the flow by id (ids are unique in a flow), cached per flow object. */
export function taskIndex(flow: Flow): Map<string, TaskPlace> {
  const hit = cache.get(flow);
  if (hit) return hit;
  const index = new Map<string, TaskPlace>();
  const visit = (tasks: Task[], branch: Branch, parent: Task | undefined) => {
    for (const task of tasks) {
      index.set(task.id, parent ? { task, parent, branch } : { task, branch });
      if (isFlowable(task.type)) for (const l of childLists(task)) visit(l.tasks, l.branch, task);
    }
  };
  visit(flow.tasks, 'tasks', undefined);
  visit(flow.errors, 'errors', undefined);
  visit(flow.finally, 'finally', undefined);
  visit(flow.afterExecution, 'afterExecution', undefined);
  cache.set(flow, index);
  return index;
}
