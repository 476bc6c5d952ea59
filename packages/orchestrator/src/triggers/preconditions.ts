import type { Trigger } from '../flow/flow-model.js';
import { isTruthy } from '../template/index.js';
import { type ConditionContext, conditionHolds } from './conditions.js';
import {
  asCondition,
  isMultiple,
  type KeyedTest,
  type MultipleSpec,
  parseTimeWindow,
  preconditionsOf,
} from './multiple-condition.js';

type Execution = NonNullable<ConditionContext['execution']>;

/**
 * The multiple conditions of a Flow trigger, ready to evaluate for one
 * execution: each `MultipleCondition` of its `conditions` (its keyed
 * `conditions`, `window`/`windowAdvance` or `timeWindow`, `resetOnSuccess`)
 * and its `preconditions` block (Kestra 0.19+): one test per `flows` entry
 * (namespace, flowId, states, labels) and per `where` entry (filters on
 * FLOW_ID, NAMESPACE, STATE, EXPRESSION joined by `operand` AND/OR), in the
 * `timeWindow`.
 */
export function multipleSpecs(trigger: Trigger, ctx: ConditionContext): MultipleSpec[] {
  const specs: MultipleSpec[] = [];
  trigger.conditions.forEach((c, i) => {
    if (!isMultiple(c)) return;
    const nested = (c.props.conditions ?? {}) as Record<string, Record<string, unknown>>;
    specs.push({
      id: String(c.props.id ?? `conditions[${i}]`),
      window: parseTimeWindow(c.props),
      resetOnSuccess: c.props.resetOnSuccess !== false,
      tests: Object.entries(nested).map(([key, raw]) => ({
        key,
        holds: () => conditionHolds(asCondition(raw), ctx),
      })),
    });
  });
  const pre = preconditionsOf(trigger);
  if (pre) {
    const e = ctx.execution;
    const flows = (pre.flows ?? []) as Array<Record<string, unknown>>;
    const where = (pre.where ?? []) as Array<Record<string, unknown>>;
    const tests: KeyedTest[] = [
      ...flows.map((f, i) => ({ key: `flows[${i}]`, holds: () => e !== undefined && upstreamHolds(f, e) })),
      ...where.map((w, i) => ({
        key: `where.${String(w.id ?? i)}`,
        holds: () => e !== undefined && whereHolds(w, e, ctx),
      })),
    ];
    specs.push({
      id: String(pre.id ?? 'preconditions'),
      window: parseTimeWindow(pre),
      resetOnSuccess: pre.resetOnSuccess !== false,
      tests,
    });
  }
  return specs;
}

/** A `preconditions.flows` entry: the execution is of that namespace (and flow), in one of `states`, with `labels`. */
function upstreamHolds(f: Record<string, unknown>, e: Execution): boolean {
  if (f.namespace !== undefined && e.namespace !== f.namespace) return false;
  if (f.flowId !== undefined && e.flowId !== f.flowId) return false;
  const states = f.states as string[] | undefined;
  if (states && !states.includes(e.state)) return false;
  const labels = Object.entries((f.labels ?? {}) as Record<string, unknown>);
  return labels.every(([key, value]) => e.labels.some((l) => l.key === key && l.value === String(value)));
}

/** A `preconditions.where` entry: its filters, all (AND, default) or any (OR). */
function whereHolds(w: Record<string, unknown>, e: Execution, ctx: ConditionContext): boolean {
  const filters = (w.filters ?? []) as Array<Record<string, unknown>>;
  const test = (f: Record<string, unknown>) => filterHolds(f, e, ctx);
  return String(w.operand ?? 'AND') === 'OR' ? filters.some(test) : filters.every(test);
}

function filterHolds(f: Record<string, unknown>, e: Execution, ctx: ConditionContext): boolean {
  const field = String(f.field);
  const value =
    field === 'FLOW_ID'
      ? e.flowId
      : field === 'NAMESPACE'
        ? e.namespace
        : field === 'STATE'
          ? e.state
          : ctx.render(String(f.value ?? ''), ctx.variables).trim();
  const want = field === 'EXPRESSION' ? undefined : (f.value as string | undefined);
  const values = ((f.values ?? []) as unknown[]).map(String);
  switch (String(f.type)) {
    case 'EQUAL_TO':
      return value === want;
    case 'NOT_EQUAL_TO':
      return value !== want;
    case 'IS_NULL':
      return value === '' || value === 'null';
    case 'IS_NOT_NULL':
      return value !== '' && value !== 'null';
    case 'IS_TRUE':
      return isTruthy(value);
    case 'IS_FALSE':
      return !isTruthy(value);
    case 'STARTS_WITH':
      return want !== undefined && value.startsWith(want);
    case 'ENDS_WITH':
      return want !== undefined && value.endsWith(want);
    case 'CONTAINS':
      return want !== undefined && value.includes(want);
    case 'REGEX':
      return want !== undefined && new RegExp(`^(?:${want})$`).test(value);
    case 'IN':
      return values.includes(value);
    case 'NOT_IN':
      return !values.includes(value);
    default:
      return false;
  }
}
