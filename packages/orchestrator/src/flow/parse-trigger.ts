import { z } from 'zod';
import type { Condition, Trigger } from './flow-model.js';
import { TASK_ID } from './flow-patterns.js';
import { parseIsoDuration } from './iso-duration.js';
import type { IssueCollector } from './issue-collector.js';
import { refuseNotExecuted } from './not-executed.js';
import { applyPluginDefaults, type PluginDefault } from './plugin-defaults.js';
import { bool, duration, oneOf, record, str, zodMessage } from './schema-kit.js';
import { lookupType, suggestType } from './task-registry.js';
import type { TypeKind } from './type-definition.js';
import type { YamlPath } from './yaml-path.js';

/** Kestra 2.0's trigger `when` is, in the one model, the 1.3 `Expression` condition. */
const WHEN_CONDITION = 'io.kestra.plugin.core.condition.Expression';

/** Properties every trigger has (Kestra's `AbstractTrigger`). */
const COMMON = z.object({
  description: str().optional(),
  disabled: bool().optional(),
  conditions: z.array(z.unknown(), { error: 'expected a list of conditions' }).optional(),
  stopAfter: z.array(str(), { error: 'expected a list of states' }).optional(),
  labels: z
    .union([record(), z.array(z.unknown())], { error: 'expected a map or a list of {key, value}' })
    .optional(),
  logLevel: oneOf(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).optional(),
  logToFile: bool().optional(),
  failOnTriggerError: bool().optional(),
  allowConcurrent: bool().optional(),
  interval: duration().optional(),
  version: str().optional(),
  /** Kestra 2.0: a Pebble expression; falsy skips the fire (an `Expression` condition in the model). */
  when: str().optional(),
});
const COMMON_KEYS = new Set(['id', 'type', 'workerGroup', 'minLogLevel', ...Object.keys(COMMON.shape)]);

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolves `type` against the registry for the wanted kind, recording an issue when it cannot. */
function resolveType(type: unknown, path: YamlPath, kind: TypeKind, issues: IssueCollector) {
  if (type === undefined) return void issues.add([...path, 'type'], 'is required');
  if (typeof type !== 'string') return void issues.add([...path, 'type'], 'expected a string');
  const def = lookupType(type);
  if (def?.kind === kind) return def;
  if (def) return void issues.add([...path, 'type'], `"${type}" is a ${def.kind} type, not a ${kind} type`);
  const hint = suggestType(type, kind);
  issues.add([...path, 'type'], `unknown ${kind} type "${type}"${hint ? `; did you mean "${hint}"?` : ''}`);
}

const MULTIPLE = 'io.kestra.plugin.core.condition.MultipleCondition';
const FLOW_TRIGGER = 'io.kestra.plugin.core.trigger.Flow';

/** Parses one trigger condition; a MultipleCondition only where `multipleAllowed` (top of a Flow trigger's). */
function parseCondition(
  raw: unknown,
  path: YamlPath,
  issues: IssueCollector,
  multipleAllowed: boolean,
): Condition | undefined {
  if (!isMap(raw)) return void issues.add(path, 'expected a condition: a map with a type');
  const def = resolveType(raw.type, path, 'condition', issues);
  if (!def) return undefined;
  if (def.type === MULTIPLE && !multipleAllowed)
    return void issues.add(
      [...path, 'type'],
      `condition type "${def.type}" is not executed by Silo here: only at the top of a Flow trigger's conditions`,
    );
  const { type: _type, ...props } = raw;
  const r = def.schema.safeParse(props, { error: zodMessage });
  if (!r.success) return void issues.addZod(path, r.error.issues);
  if (!refuseNotExecuted(def, props, path, issues)) return undefined;
  // Nested conditions (Not, Or: a list; MultipleCondition: a map) are checked by the same rules, kept as written.
  const nested = props.conditions;
  const entries: Array<[string | number, unknown]> = Array.isArray(nested)
    ? nested.map((c, i) => [i, c])
    : isMap(nested)
      ? Object.entries(nested)
      : [];
  const parsed = entries.map(([k, c]) => parseCondition(c, [...path, 'conditions', k], issues, false));
  if (parsed.some((c) => c === undefined)) return undefined;
  return { type: def.type, props };
}

/**
 * Parses the flow's `triggers`: ids unique among triggers, types from the
 * registry, conditions checked, plugin defaults applied.
 *
 * @example
 * parseTriggers([{ id: 'hourly', type: 'io.kestra.plugin.core.trigger.Schedule', cron: '0 * * * *' }], ['triggers'], issues, []);
 */
export function parseTriggers(
  raw: unknown,
  path: YamlPath,
  issues: IssueCollector,
  defaults: readonly PluginDefault[],
): Trigger[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.add(path, 'expected a list of triggers');
    return [];
  }
  const seen = new Map<string, number>();
  const out: Trigger[] = [];
  raw.forEach((item, i) => {
    const at = [...path, i];
    if (!isMap(item)) {
      issues.add(at, 'expected a trigger: a map with at least id and type');
      return;
    }
    const t = applyPluginDefaults(item, defaults);
    if (t.id === undefined) issues.add([...at, 'id'], 'is required');
    else if (typeof t.id !== 'string' || !TASK_ID.test(t.id))
      issues.add(
        [...at, 'id'],
        `invalid trigger id "${String(t.id)}": it must start with a letter or a digit and contain only letters, digits, _ and -`,
      );
    else if (seen.has(t.id))
      issues.add(
        [...at, 'id'],
        `duplicate trigger id "${t.id}", already used by triggers[${seen.get(t.id)}]`,
      );
    else seen.set(t.id, i);
    const def = resolveType(t.type, at, 'trigger', issues);
    const common = COMMON.safeParse(t, { error: zodMessage });
    if (!common.success) issues.addZod(at, common.error.issues);
    const conditions: Condition[] = [];
    let conditionsOk = true;
    if (common.success && common.data.when !== undefined)
      conditions.push({ type: WHEN_CONDITION, props: { expression: common.data.when } });
    if (common.success) {
      (common.data.conditions ?? []).forEach((c, j) => {
        const cond = parseCondition(c, [...at, 'conditions', j], issues, def?.type === FLOW_TRIGGER);
        if (cond) conditions.push(cond);
        else conditionsOk = false;
      });
    }
    if (!def) return;
    const props: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(t)) if (!COMMON_KEYS.has(k)) props[k] = v;
    const own = def.schema.safeParse(props, { error: zodMessage });
    if (!own.success) issues.addZod(at, own.error.issues);
    const executed = refuseNotExecuted(def, props, at, issues);
    if (!own.success || !executed || !common.success || !conditionsOk || typeof t.id !== 'string') return;
    for (const key of def.durations ?? []) {
      const v = props[key];
      if (typeof v === 'string') props[`${key}Ms`] = parseIsoDuration(v);
    }
    for (const key of [
      'stopAfter',
      'labels',
      'logLevel',
      'failOnTriggerError',
      'allowConcurrent',
      'interval',
      'workerGroup',
    ])
      if (t[key] !== undefined) props[key] = t[key];
    const trigger: Trigger = {
      id: t.id,
      type: def.type,
      disabled: common.data.disabled ?? false,
      conditions,
      props,
    };
    if (common.data.description !== undefined) trigger.description = common.data.description;
    const pos = issues.position(at);
    if (pos) trigger.position = pos;
    out.push(trigger);
  });
  return out;
}
