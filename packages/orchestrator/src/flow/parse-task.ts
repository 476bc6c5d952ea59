import { z } from 'zod';
import type { Task } from './flow-model.js';
import { TASK_ID, TASK_ID_MAX } from './flow-patterns.js';
import { parseIsoDuration } from './iso-duration.js';
import type { IssueCollector } from './issue-collector.js';
import { refuseNotExecuted } from './not-executed.js';
import { parseRetry } from './parse-retry.js';
import { applyPluginDefaults, type PluginDefault } from './plugin-defaults.js';
import { bool, duration, isTemplate, oneOf, prop, str, zodMessage } from './schema-kit.js';
import { lookupType, suggestType } from './task-registry.js';
import type { TypeDefinition } from './type-definition.js';
import { formatPath, type YamlPath } from './yaml-path.js';

/** State shared while parsing one flow's tasks. */
export type TaskParseContext = {
  issues: IssueCollector;
  defaults: readonly PluginDefault[];
  /** Task id → path where it was first declared, for duplicate detection over the whole tree. */
  taskIds: Map<string, string>;
};

/** Properties every task has; the rest belongs to its type. */
const COMMON = z.object({
  description: str().optional(),
  timeout: prop(duration()).optional(),
  disabled: bool().optional(),
  allowFailure: bool().optional(),
  allowWarning: bool().optional(),
  runIf: z.union([str(), bool()], { error: 'expected a condition (a template or a boolean)' }).optional(),
  logLevel: oneOf(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).optional(),
  logToFile: bool().optional(),
  version: str().optional(),
});
const COMMON_KEYS = new Set([
  'id',
  'type',
  'retry',
  'workerGroup',
  'taskCache',
  'errors',
  'finally',
  ...Object.keys(COMMON.shape),
]);

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses a list of tasks (`tasks`, `errors`, `then`, ...); invalid tasks are
 * left out and their issues recorded.
 *
 * @example
 * parseTaskList(raw.tasks, ['tasks'], ctx);
 */
export function parseTaskList(raw: unknown, path: YamlPath, ctx: TaskParseContext): Task[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    ctx.issues.add(path, 'expected a list of tasks');
    return [];
  }
  const out: Task[] = [];
  raw.forEach((item, i) => {
    const task = parseTask(item, [...path, i], ctx);
    if (task) out.push(task);
  });
  return out;
}

/** Checks `id` and `type`; returns the type's definition when both are usable. */
function identify(
  raw: Record<string, unknown>,
  path: YamlPath,
  ctx: TaskParseContext,
): TypeDefinition | undefined {
  const { id, type } = raw;
  if (id === undefined) ctx.issues.add([...path, 'id'], 'is required');
  else if (typeof id !== 'string') ctx.issues.add([...path, 'id'], 'expected a string');
  else if (!TASK_ID.test(id) || id.length > TASK_ID_MAX)
    ctx.issues.add(
      [...path, 'id'],
      `invalid task id "${id}": it must start with a letter or a digit and contain only letters, digits, _ and - (at most ${TASK_ID_MAX})`,
    );
  else {
    const first = ctx.taskIds.get(id);
    if (first !== undefined)
      ctx.issues.add([...path, 'id'], `duplicate task id "${id}", already used by ${first}`);
    else ctx.taskIds.set(id, formatPath(path));
  }
  if (type === undefined) {
    ctx.issues.add([...path, 'type'], 'is required');
    return undefined;
  }
  if (typeof type !== 'string') {
    ctx.issues.add([...path, 'type'], 'expected a string');
    return undefined;
  }
  const def = lookupType(type);
  if (def?.kind === 'task') return def;
  if (def) ctx.issues.add([...path, 'type'], `"${type}" is a ${def.kind} type, not a task type`);
  else {
    const hint = suggestType(type, 'task');
    ctx.issues.add(
      [...path, 'type'],
      `unknown task type "${type}"${hint ? `; did you mean "${hint}"?` : ''}`,
    );
  }
  return undefined;
}

/**
 * Parses and normalises one task: plugin defaults applied, common properties
 * typed, its type's properties checked by the registry's schema, children
 * parsed recursively.
 *
 * @example
 * parseTask({ id: 'hello', type: 'io.kestra.core.tasks.log.Log', message: 'hi' }, ['tasks', 0], ctx);
 */
export function parseTask(input: unknown, path: YamlPath, ctx: TaskParseContext): Task | undefined {
  if (!isMap(input)) {
    ctx.issues.add(path, 'expected a task: a map with at least id and type');
    return undefined;
  }
  const raw = applyPluginDefaults(input, ctx.defaults);
  const def = identify(raw, path, ctx);
  const common = COMMON.safeParse(raw, { error: zodMessage });
  if (!common.success) ctx.issues.addZod(path, common.error.issues);
  const retry = raw.retry === undefined ? undefined : parseRetry(raw.retry, [...path, 'retry'], ctx.issues);
  if (!def) return undefined;

  const flowable = def.children !== undefined;
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!COMMON_KEYS.has(k)) props[k] = v;
  const own = def.schema.safeParse(props, { error: zodMessage });
  if (!own.success) ctx.issues.addZod(path, own.error.issues);
  const executed = refuseNotExecuted(def, props, path, ctx.issues);
  if (!flowable) {
    for (const key of ['errors', 'finally'])
      if (raw[key] !== undefined) ctx.issues.add([...path, key], `only flowable tasks have "${key}"`);
  }
  const children = flowable ? parseChildren(def, props, path, ctx) : true;
  const errors = flowable ? parseTaskList(raw.errors, [...path, 'errors'], ctx) : [];
  const fin = flowable ? parseTaskList(raw.finally, [...path, 'finally'], ctx) : [];
  if (!own.success || !executed || !common.success || !children || (raw.retry !== undefined && !retry))
    return undefined;

  for (const key of def.durations ?? []) {
    const v = props[key];
    if (typeof v === 'string' && !isTemplate(v)) props[`${key}Ms`] = parseIsoDuration(v);
  }
  const c = common.data;
  const task: Task = {
    id: raw.id as string,
    type: def.type,
    disabled: c.disabled ?? false,
    allowFailure: c.allowFailure ?? false,
    allowWarning: c.allowWarning ?? false,
    props,
  };
  if (c.description !== undefined) task.description = c.description;
  if (retry) task.retry = retry;
  if (typeof c.timeout === 'string') {
    if (isTemplate(c.timeout)) props.timeout = c.timeout;
    else task.timeoutMs = parseIsoDuration(c.timeout);
  }
  if (c.runIf !== undefined) task.runIf = String(c.runIf);
  if (c.logLevel !== undefined) task.logLevel = c.logLevel;
  if (raw.workerGroup !== undefined) task.workerGroup = raw.workerGroup;
  if (flowable && raw.errors !== undefined) task.errors = errors;
  if (flowable && raw.finally !== undefined) task.finally = fin;
  const pos = ctx.issues.position(path);
  if (pos) task.position = pos;
  return task;
}

/** Parses the child slots of a flowable task into `props`; false when something was invalid. */
function parseChildren(
  def: TypeDefinition,
  props: Record<string, unknown>,
  path: YamlPath,
  ctx: TaskParseContext,
): boolean {
  const before = ctx.issues.issues.length;
  let count = 0;
  for (const slot of def.children ?? []) {
    const value = props[slot.key];
    if (value === undefined || value === null) continue;
    const at = [...path, slot.key];
    if (slot.shape === 'list') {
      const list = parseTaskList(value, at, ctx);
      props[slot.key] = list;
      count += Array.isArray(value) ? value.length : 0;
    } else if (slot.shape === 'map') {
      if (!isMap(value)) continue;
      const cases: Record<string, Task[]> = {};
      for (const [k, list] of Object.entries(value)) {
        cases[k] = parseTaskList(list, [...at, k], ctx);
        count += Array.isArray(list) ? list.length : 0;
      }
      props[slot.key] = cases;
    } else {
      if (!Array.isArray(value)) continue;
      props[slot.key] = parseDag(value, at, ctx);
      count += value.length;
    }
  }
  if (count === 0 && def.childrenRequired !== false) {
    const name = def.type.slice(def.type.lastIndexOf('.') + 1);
    const keys = (def.children ?? []).map((s) => `"${s.key}"`).join(' or ');
    ctx.issues.add(
      [...path, def.children?.[0]?.key ?? 'tasks'],
      `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name} task needs at least one child task in ${keys}`,
    );
  }
  return ctx.issues.issues.length === before;
}

/** Dag entries `{ task, dependsOn }`; every `dependsOn` must name a task of the same Dag. */
function parseDag(entries: unknown[], path: YamlPath, ctx: TaskParseContext) {
  const out: Array<{ task: Task; dependsOn: string[] }> = [];
  const ids = new Set(entries.map((e) => (isMap(e) && isMap(e.task) ? e.task.id : undefined)));
  entries.forEach((entry, i) => {
    if (!isMap(entry)) return;
    const task = parseTask(entry.task, [...path, i, 'task'], ctx);
    const dependsOn = Array.isArray(entry.dependsOn) ? entry.dependsOn.map(String) : [];
    dependsOn.forEach((dep, j) => {
      if (!ids.has(dep))
        ctx.issues.add(
          [...path, i, 'dependsOn', j],
          `unknown task "${dep}": dependsOn must name a task of this Dag`,
        );
    });
    if (task) out.push({ task, dependsOn });
  });
  return out;
}
