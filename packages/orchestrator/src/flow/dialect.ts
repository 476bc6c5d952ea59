import { type KestraVersion, LEGACY_KESTRA_VERSION } from '@silo/contracts';
import type { IssueCollector } from './issue-collector.js';
import type { YamlPath } from './yaml-path.js';

/**
 * The dialect layer over the one flow model (DIALECTS.md). The parser knows
 * the union of Kestra 1.3 and 2.0; this pass refuses, before the model is
 * built, what the instance's dialect does not have, with that version's
 * wording and the YAML path and line. One instance speaks one dialect: the
 * orchestrator sets it once at start (`setInstanceDialect`), and parsing
 * defaults to it.
 */
let current: KestraVersion = LEGACY_KESTRA_VERSION;

/** Sets the dialect this instance speaks (`config.kestraVersion`), once at start. */
export function setInstanceDialect(version: KestraVersion): void {
  current = version;
}

/** The dialect this instance speaks. @default "1.3" */
export function instanceDialect(): KestraVersion {
  return current;
}

const FLOW = 'io.kestra.plugin.core.flow';
export const LOOP_TYPE = `${FLOW}.Loop`;

/** 1.3 iteration types and their aliases: `Invalid type` on 2.0 (no alias, [guide]). */
const ITERATION_TYPES = new Set(
  ['ForEach', 'ForEachItem', 'EachSequential', 'EachParallel'].flatMap((n) => [
    `${FLOW}.${n}`,
    `io.kestra.core.tasks.flows.${n}`,
  ]),
);

/** Trigger keys 2.0 added (A.2, A.3). */
const TRIGGER_20_KEYS = ['when', 'dependsOn', 'window', 'mode', 'minSatisfied', 'onMiss'] as const;
/** Trigger keys 2.0 removed (A.2, A.3). */
const TRIGGER_13_KEYS = ['conditions', 'scheduleConditions', 'preconditions'] as const;

/** Pebble's `json(x)` function and `x | json` filter, removed in 2.0 (A.8); not `fromJson`, `toJson`, `is json`. */
const JSON_FUNCTION = /(?<![\w.])json\s*\(/;
const JSON_FILTER = /\|\s*json(?![\w(])/;

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a string holds a Pebble `json()` call or `| json` filter inside `{{ }}` or `{% %}`. */
export function usesRemovedJson(text: string): boolean {
  for (const m of text.matchAll(/\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g)) {
    const inner = m[1] ?? m[2] ?? '';
    if (JSON_FUNCTION.test(inner) || JSON_FILTER.test(inner)) return true;
  }
  return false;
}

/**
 * Records an issue for each construct of `raw` (the flow as plain data) that
 * the dialect does not have. Nothing is changed: the regular parser then
 * builds the one model from what is left.
 *
 * @example
 * dialectIssues({ id: 'f', namespace: 'n', tasks: [{ id: 'l', type: 'io.kestra.plugin.core.flow.ForEach' }] }, '2.0', issues);
 * // tasks[0].type: Invalid type: io.kestra.plugin.core.flow.ForEach ...
 */
export function dialectIssues(raw: Record<string, unknown>, dialect: KestraVersion, issues: IssueCollector) {
  if (dialect === '2.0') {
    for (const key of ['pluginDefaults', 'taskDefaults'])
      if (raw[key] !== undefined)
        issues.add(
          [key],
          `Unrecognized field "${key}": plugin defaults were removed in Kestra 2.0; write the values on each task`,
        );
  }
  if (raw.draft !== undefined)
    issues.add(
      ['draft'],
      dialect === '2.0'
        ? 'Unrecognized field "draft": a draft is saved with ?draft=true, not a YAML property'
        : 'unknown property "draft": drafts are a Kestra 2.0 feature, not available on a Kestra 1.3 tenant',
    );
  if (Array.isArray(raw.triggers))
    raw.triggers.forEach((t, i) => {
      if (isMap(t)) triggerIssues(t, ['triggers', i], dialect, issues);
    });
  if (Array.isArray(raw.checks))
    raw.checks.forEach((c, i) => {
      if (isMap(c)) checkIssues(c, ['checks', i], dialect, issues);
    });
  walk(raw, [], dialect, issues);
}

function triggerIssues(
  t: Record<string, unknown>,
  at: YamlPath,
  dialect: KestraVersion,
  issues: IssueCollector,
) {
  if (dialect === '2.0') {
    for (const key of TRIGGER_13_KEYS)
      if (t[key] !== undefined)
        issues.add(
          [...at, key],
          `Unrecognized field "${key}": trigger conditions were removed in Kestra 2.0; use ${
            t.type === 'io.kestra.plugin.core.trigger.Flow' ? '`dependsOn` (and `window`, `mode`)' : '`when`'
          }`,
        );
  } else {
    for (const key of TRIGGER_20_KEYS)
      if (t[key] !== undefined)
        issues.add(
          [...at, key],
          `unknown property "${key}": trigger \`${key}\` is Kestra 2.0 syntax, not available on a Kestra 1.3 tenant; use \`conditions\``,
        );
  }
}

function checkIssues(
  c: Record<string, unknown>,
  at: YamlPath,
  dialect: KestraVersion,
  issues: IssueCollector,
) {
  if (dialect === '2.0' && c.condition !== undefined)
    issues.add(
      [...at, 'condition'],
      'Unrecognized field "condition": checks use `when` in Kestra 2.0 (`condition` was renamed)',
    );
  if (dialect === '1.3' && c.when !== undefined)
    issues.add(
      [...at, 'when'],
      'unknown property "when": checks `when` is Kestra 2.0 syntax, not available on a Kestra 1.3 tenant; use `condition`',
    );
}

/** Every map and string of the flow: task types, input types, Pebble `json`. */
function walk(node: unknown, at: YamlPath, dialect: KestraVersion, issues: IssueCollector): void {
  if (typeof node === 'string') {
    if (dialect === '2.0' && usesRemovedJson(node))
      issues.add(
        at,
        'Pebble `json()` was removed in Kestra 2.0: use `fromJson(x)` to parse and `x | toJson` to serialise',
      );
    return;
  }
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) walk(v, [...at, i], dialect, issues);
    return;
  }
  if (!isMap(node)) return;
  const type = node.type;
  if (typeof type === 'string') {
    if (dialect === '2.0' && ITERATION_TYPES.has(type))
      issues.add(
        [...at, 'type'],
        `Invalid type: ${type} (removed in Kestra 2.0: use ${LOOP_TYPE}, with item.value and item.index)`,
      );
    if (dialect === '1.3' && type === LOOP_TYPE)
      issues.add(
        [...at, 'type'],
        `unknown task type "${type}": Loop is Kestra 2.0 syntax, not available on a Kestra 1.3 tenant; use ${FLOW}.ForEach`,
      );
    const inInputs = at.some((seg) => seg === 'inputs' || seg === 'outputs');
    if (dialect === '2.0' && inInputs && (type === 'BOOLEAN' || type === 'ENUM'))
      issues.add(
        [...at, 'type'],
        `Invalid input type: ${type} (removed in Kestra 2.0: use ${type === 'BOOLEAN' ? 'BOOL' : 'SELECT'})`,
      );
  }
  for (const [key, value] of Object.entries(node)) {
    // Removed trigger conditions are reported once, at their key.
    if (dialect === '2.0' && (TRIGGER_13_KEYS as readonly string[]).includes(key) && at[0] === 'triggers')
      continue;
    if (dialect === '2.0' && (key === 'pluginDefaults' || key === 'taskDefaults') && at.length === 0)
      continue;
    walk(value, [...at, key], dialect, issues);
  }
}
