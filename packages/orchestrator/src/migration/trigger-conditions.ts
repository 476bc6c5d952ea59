import { isMap, isSeq, Scalar, type YAMLMap } from 'yaml';
import type { YamlPath } from '../flow/yaml-path.js';
import {
  deleteKey,
  type MigrationContext,
  pairOf,
  shortType,
  stringAt,
  triggersOf,
} from './migration-context.js';

/** Why a condition has no mechanical `when`. */
class NotMechanical extends Error {}

const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
const DEFAULT_DATE = /^\{\{\s*trigger\.date\s*\}\}$/;

/** `{{ x }}` → `x`; anything else (text around, several blocks) is not one expression. */
function innerExpression(text: string): string {
  const m = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(text);
  if (!m || m[1]?.includes('}}') || m[1]?.includes('{{'))
    throw new NotMechanical('not a single {{ }} expression');
  return (m[1] as string).trim();
}

/** A quoted Pebble string literal (single quotes; a quote inside is not mechanical). */
function literal(value: string): string {
  if (/['\\]/.test(value)) throw new NotMechanical(`the value ${value} needs quoting by hand`);
  return `'${value}'`;
}

/** `08:00:00` → 8 when on the hour; minutes are not mechanical with `hourOfDay`. */
function wholeHour(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,2})(?::00(?::00)?)?$/.exec(value);
  if (!m) throw new NotMechanical(`time ${value} is not on the hour (hourOfDay compares whole hours)`);
  return Number(m[1]);
}

/**
 * One 1.3 condition as a 2.0 `when` expression (CHANGES.md A.2 table), or
 * `NotMechanical` when it has none (DateTimeBetween, execution conditions, …).
 */
function conditionExpression(node: unknown): string {
  if (!isMap(node)) throw new NotMechanical('not a condition');
  const type = stringAt(node, 'type') ?? '';
  const name = shortType(type).replace(/Condition$/, '');
  const date = stringAt(node, 'date');
  if (date !== undefined && !DEFAULT_DATE.test(date))
    throw new NotMechanical(`${name} on a date other than trigger.date`);
  switch (name) {
    case 'DayWeek': {
      const day = stringAt(node, 'dayOfWeek');
      if (day === undefined || !DAYS.includes(day)) throw new NotMechanical('DayWeek without a dayOfWeek');
      return `dayOfWeek(trigger.date) == ${literal(day)}`;
    }
    case 'Weekend':
      return 'isWeekend(trigger.date)';
    case 'PublicHoliday': {
      const country = stringAt(node, 'country');
      if (country === undefined) throw new NotMechanical('PublicHoliday without a country');
      const sub = stringAt(node, 'subDivision');
      return `isPublicHoliday(trigger.date, ${literal(country)}${sub ? `, ${literal(sub)}` : ''})`;
    }
    case 'DayWeekInMonth': {
      const day = stringAt(node, 'dayOfWeek');
      const which = stringAt(node, 'dayInMonth');
      if (day === undefined || which === undefined) throw new NotMechanical('DayWeekInMonth incomplete');
      return `isDayWeekInMonth(trigger.date, ${literal(day)}, ${literal(which)})`;
    }
    case 'TimeBetween': {
      const after = wholeHour(stringAt(node, 'after'));
      const before = wholeHour(stringAt(node, 'before'));
      const parts = [
        ...(after !== undefined ? [`hourOfDay(trigger.date) >= ${after}`] : []),
        ...(before !== undefined ? [`hourOfDay(trigger.date) < ${before}`] : []),
      ];
      if (parts.length === 0) throw new NotMechanical('TimeBetween without bounds');
      return parts.join(' and ');
    }
    case 'Expression':
    case 'Variable': {
      const expression = stringAt(node, 'expression');
      if (expression === undefined) throw new NotMechanical('Expression without an expression');
      return `(${innerExpression(expression)})`;
    }
    case 'Not':
      return `not (${listExpression(node.get('conditions', true), ' or ')})`;
    case 'Or':
      return `(${listExpression(node.get('conditions', true), ' or ')})`;
    default:
      throw new NotMechanical(`${name || 'this condition'} has no mechanical 2.0 \`when\``);
  }
}

function listExpression(list: unknown, join: string): string {
  if (!isSeq(list) || list.items.length === 0) throw new NotMechanical('an empty list of conditions');
  return list.items.map(conditionExpression).join(join);
}

const FLOW_TRIGGER = /(^|\.)Flow$/;

/**
 * Trigger `conditions` (and Schedule `scheduleConditions`) → `when` where each
 * condition has a mechanical Pebble equivalent, joined with `and`. Flow
 * triggers (`conditions`, `preconditions`) become `dependsOn` + `window`:
 * left to a person, as are other trigger keys 2.0 removed.
 */
export function rewriteTriggerConditions(ctx: MigrationContext): void {
  for (const { map, path, type } of triggersOf(ctx.doc)) {
    if (FLOW_TRIGGER.test(type)) {
      for (const key of ['conditions', 'preconditions']) {
        const pair = pairOf(map, key);
        if (pair)
          ctx.manual(
            [...path, key],
            pair.key,
            `Flow trigger \`${key}\` become \`dependsOn\` (+ \`window\`, \`mode\`) in 2.0, and \`trigger.outputs.<key>\` becomes \`trigger.outputs.<flowId>.<key>\`: rewrite by hand`,
          );
      }
      continue;
    }
    toWhen(ctx, map, path);
    for (const [key, message] of Object.entries(REMOVED_TRIGGER_KEYS)) {
      const pair = pairOf(map, key);
      if (pair) ctx.manual([...path, key], pair.key, message);
    }
  }
}

const REMOVED_TRIGGER_KEYS: Record<string, string> = {
  minLogLevel: 'triggers have no `minLogLevel` in 2.0',
  backfill: '2.0 drives Schedule backfills through the API (`PUT /triggers/backfill/create`), not the YAML',
};

function toWhen(ctx: MigrationContext, map: YAMLMap, path: YamlPath): void {
  const lists = ['conditions', 'scheduleConditions'].flatMap((key) => {
    const pair = pairOf(map, key);
    return pair ? [{ key, pair }] : [];
  });
  if (lists.length === 0) return;
  const expressions: string[] = [];
  const existing = stringAt(map, 'when');
  try {
    if (existing !== undefined) expressions.push(`(${innerExpression(existing)})`);
    for (const { pair } of lists) expressions.push(listExpression(pair.value, ' and '));
  } catch (err) {
    if (!(err instanceof NotMechanical)) throw err;
    const first = lists[0] as (typeof lists)[number];
    ctx.manual(
      [...path, first.key],
      first.pair.key,
      `trigger conditions are removed in 2.0 (\`when: "{{ … }}"\`); no mechanical rewrite: ${err.message}`,
    );
    return;
  }
  const [first, ...rest] = lists as [(typeof lists)[number], ...typeof lists];
  const when = `{{ ${expressions.join(' and ')} }}`;
  ctx.automatic([...path, first.key], first.pair.key, `trigger ${first.key} → when: "${when}"`);
  if (existing !== undefined) map.set('when', when);
  else {
    first.pair.key = new Scalar('when');
    first.pair.value = new Scalar(when);
    (first.pair.value as Scalar).type = Scalar.QUOTE_DOUBLE;
  }
  for (const { key } of existing !== undefined ? lists : rest) deleteKey(map, key);
}
