import { closest } from './edit-distance.js';
import type { Task } from './flow-model.js';
import { CONDITIONS } from './task-types/conditions.js';
import { CORE_TASKS } from './task-types/core-tasks.js';
import { FLOWABLE_TASKS } from './task-types/flowable-tasks.js';
import { PURGE_TASKS } from './task-types/purge-tasks.js';
import { TRIGGERS } from './task-types/triggers.js';
import type { TypeDefinition, TypeKind } from './type-definition.js';

export type { ChildSlot, TypeDefinition, TypeKind } from './type-definition.js';

const ALL: readonly TypeDefinition[] = [
  ...CORE_TASKS,
  ...PURGE_TASKS,
  ...FLOWABLE_TASKS,
  ...TRIGGERS,
  ...CONDITIONS,
];

/** Every name (canonical and alias) → its definition. */
const BY_NAME = new Map<string, TypeDefinition>();
for (const def of ALL) {
  for (const name of [def.type, ...(def.aliases ?? [])]) {
    if (BY_NAME.has(name)) throw new Error(`task registry: ${name} is registered twice`);
    BY_NAME.set(name, def);
  }
}

/**
 * The definition of a task, trigger or condition type, by its canonical name
 * or any alias; `undefined` when unknown (or of another kind than asked).
 *
 * @example
 * lookupType('io.kestra.core.tasks.debugs.Return')?.type; // 'io.kestra.plugin.core.debug.Return'
 * lookupType('io.kestra.plugin.core.log.Log', 'trigger'); // undefined
 */
export function lookupType(type: string, kind?: TypeKind): TypeDefinition | undefined {
  const def = BY_NAME.get(type);
  return def && (kind === undefined || def.kind === kind) ? def : undefined;
}

/**
 * The known type closest to a misspelt one, among canonical names of that kind.
 *
 * @example
 * suggestType('io.kestra.plugin.core.log.Logg', 'task'); // 'io.kestra.plugin.core.log.Log'
 */
export function suggestType(type: string, kind: TypeKind): string | undefined {
  return closest(
    type,
    ALL.filter((d) => d.kind === kind).map((d) => d.type),
  );
}

/** Canonical names of every registered type of a kind. */
export function knownTypes(kind: TypeKind): string[] {
  return ALL.filter((d) => d.kind === kind).map((d) => d.type);
}

/**
 * Whether a task type is flowable (schedules child tasks rather than running code).
 *
 * @example
 * isFlowable('io.kestra.plugin.core.flow.Parallel'); // true
 * isFlowable('io.kestra.plugin.core.log.Log'); // false
 */
export function isFlowable(type: string): boolean {
  return BY_NAME.get(type)?.children !== undefined;
}

/**
 * The direct children of a parsed task, in the order they are written, by slot:
 * `tasks`, `then`/`else`, each Switch case then `defaults`, the Dag's tasks.
 * `errors` and `finally` are not included (they are on `Task` itself).
 *
 * @example
 * childTasks(ifTask).map((t) => t.id); // ['when-true', 'when-false']
 */
export function childTasks(task: Task): Task[] {
  const def = BY_NAME.get(task.type);
  const out: Task[] = [];
  for (const slot of def?.children ?? []) {
    const value = task.props[slot.key];
    if (value === undefined) continue;
    if (slot.shape === 'list') out.push(...(value as Task[]));
    else if (slot.shape === 'map')
      for (const list of Object.values(value as Record<string, Task[]>)) out.push(...list);
    else out.push(...(value as Array<{ task: Task }>).map((d) => d.task));
  }
  return out;
}

/**
 * Every task of a tree, depth first, with the `errors` and `finally` of flowable tasks.
 *
 * @example
 * [...walkTasks(flow.tasks)].map((t) => t.id);
 */
export function* walkTasks(tasks: readonly Task[]): Generator<Task> {
  for (const task of tasks) {
    yield task;
    yield* walkTasks(childTasks(task));
    if (task.errors) yield* walkTasks(task.errors);
    if (task.finally) yield* walkTasks(task.finally);
  }
}
