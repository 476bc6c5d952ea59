import type { Condition } from '../flow/flow-model.js';
import { lookupType } from '../flow/task-registry.js';
import { isTruthy } from '../template/index.js';
import {
  DAYS,
  dayWeekInMonth,
  isPublicHoliday,
  type LocalDateParts,
  parseLocalDate,
  timeBetween,
} from './calendar-conditions.js';

const P = 'io.kestra.plugin.core.condition';

/** What a trigger condition looks at: the rendering variables, and the execution that ended (Flow trigger). */
export type ConditionContext = {
  variables: Record<string, unknown>;
  render(template: string, variables: Record<string, unknown>): string;
  /** The flow that owns the trigger (FlowCondition, FlowNamespaceCondition); default `variables.flow`. */
  flow?: { namespace: string; id: string };
  /** The upstream execution, for the execution conditions. */
  execution?: {
    namespace: string;
    flowId: string;
    state: string;
    labels: Array<{ key: string; value: string }>;
    outputs?: Record<string, unknown> | null;
    /** The states of each task run's attempts (HasRetryAttempt). */
    attempts?: ReadonlyArray<readonly string[]>;
  };
};

/** A condition type this instance cannot evaluate; the trigger does not fire, and the reason is logged. */
export class UnsupportedConditionError extends Error {
  override readonly name = 'UnsupportedConditionError';
  constructor(readonly conditionType: string) {
    super(`Condition type '${conditionType}' is not supported by this instance`);
  }
}

/**
 * Kestra's trigger conditions (`core/.../plugin/core/condition/*.java`):
 * all must hold. `Expression` renders its expression and tests truthiness;
 * `ExecutionStatus` (`in`/`notIn`), `ExecutionFlow`, `ExecutionNamespace`
 * (`comparison` EQUALS/PREFIX/SUFFIX, or `prefix: true`) and
 * `ExecutionLabels`, `ExecutionOutputs` and `HasRetryAttempt` look at the
 * execution that ended; `FlowCondition` and `FlowNamespaceCondition` at the
 * flow that owns the trigger; the schedule conditions `DayWeek`,
 * `DayWeekInMonth`, `Weekend`, `PublicHoliday`, `TimeBetween`,
 * `DateTimeBetween` look at `date` (default `{{ trigger.date }}`,
 * calendar-conditions.ts); `Not` and `Or` nest others. `MultipleCondition`
 * keeps a window across executions: the Flow trigger evaluates it
 * (multiple-condition.ts), and it is refused at save anywhere else.
 *
 * @example
 * allConditionsHold([{ type: 'io.kestra.plugin.core.condition.Expression', props: { expression: "{{ trigger.body.ok }}" } }], ctx);
 */
export function allConditionsHold(conditions: readonly Condition[], ctx: ConditionContext): boolean {
  return conditions.every((c) => conditionHolds(c, ctx));
}

export function conditionHolds(c: Condition, ctx: ConditionContext): boolean {
  const p = c.props;
  const e = ctx.execution;
  switch (c.type) {
    case `${P}.Expression`:
      return isTruthy(ctx.render(String(p.expression), ctx.variables).trim());
    case `${P}.ExecutionStatus`: {
      if (!e) return false;
      const inList = p.in as string[] | undefined;
      const notIn = p.notIn as string[] | undefined;
      if (inList && !inList.includes(e.state)) return false;
      if (notIn?.includes(e.state)) return false;
      return true;
    }
    case `${P}.ExecutionFlow`:
      return e !== undefined && e.namespace === p.namespace && e.flowId === p.flowId;
    case `${P}.ExecutionNamespace`: {
      if (!e) return false;
      const ns = String(p.namespace);
      const comparison = String(p.comparison ?? (p.prefix === true ? 'PREFIX' : 'EQUALS'));
      if (comparison === 'PREFIX') return e.namespace === ns || e.namespace.startsWith(ns);
      if (comparison === 'SUFFIX') return e.namespace.endsWith(ns);
      return e.namespace === ns;
    }
    case `${P}.ExecutionLabels`: {
      if (!e) return false;
      const want = Array.isArray(p.labels)
        ? (p.labels as Array<{ key: string; value: string }>)
        : Object.entries((p.labels ?? {}) as Record<string, unknown>).map(([key, value]) => ({
            key,
            value: String(value),
          }));
      return want.every((w) => e.labels.some((l) => l.key === w.key && l.value === String(w.value)));
    }
    case `${P}.Not`:
      return !((p.conditions as Condition[] | undefined) ?? []).some((x) =>
        conditionHolds(normalise(x), ctx),
      );
    case `${P}.Or`:
      return ((p.conditions as Condition[] | undefined) ?? []).some((x) => conditionHolds(normalise(x), ctx));
    case `${P}.DayWeek`: {
      const d = localDate(ctx, p.date);
      return d !== undefined && DAYS[d.dayOfWeek] === String(p.dayOfWeek).toUpperCase();
    }
    case `${P}.DayWeekInMonth`: {
      const d = localDate(ctx, p.date);
      return d !== undefined && dayWeekInMonth(d, String(p.dayOfWeek), String(p.dayInMonth));
    }
    case `${P}.Weekend`: {
      const d = localDate(ctx, p.date);
      return d !== undefined && (d.dayOfWeek === 0 || d.dayOfWeek === 6);
    }
    case `${P}.PublicHoliday`: {
      const d = localDate(ctx, p.date);
      const country = String(p.country ?? 'US');
      return d !== undefined && isPublicHoliday(d, country, p.subDivision as string | undefined);
    }
    case `${P}.TimeBetween`: {
      const d = localDate(ctx, p.date);
      return d !== undefined && timeBetween(d, p.after as string | undefined, p.before as string | undefined);
    }
    case `${P}.DateTimeBetween`: {
      const d = localDate(ctx, p.date);
      if (d === undefined) return false;
      const after = p.after === undefined ? undefined : Date.parse(String(p.after));
      const before = p.before === undefined ? undefined : Date.parse(String(p.before));
      return (after === undefined || d.epochMs >= after) && (before === undefined || d.epochMs <= before);
    }
    case `${P}.FlowCondition`: {
      const f = ownFlow(ctx);
      return f !== undefined && f.namespace === p.namespace && f.id === p.flowId;
    }
    case `${P}.FlowNamespaceCondition`: {
      const f = ownFlow(ctx);
      if (!f) return false;
      return p.prefix === true ? f.namespace.startsWith(String(p.namespace)) : f.namespace === p.namespace;
    }
    case `${P}.ExecutionOutputs`: {
      if (!e?.outputs || Object.keys(e.outputs).length === 0) return false;
      return isTruthy(ctx.render(String(p.expression), ctx.variables).trim());
    }
    case `${P}.HasRetryAttempt`: {
      const inList = p.in as string[] | undefined;
      const notIn = p.notIn as string[] | undefined;
      return (e?.attempts ?? []).some(
        (states) =>
          states.length > 1 &&
          states.some((s) => (!inList || inList.includes(s)) && !(notIn ?? []).includes(s)),
      );
    }
    default:
      throw new UnsupportedConditionError(c.type);
  }
}

/** Nested conditions (`Not`, `Or`) as written in YAML: `{type, ...props}`. */
function normalise(x: Condition | Record<string, unknown>): Condition {
  if ('props' in x && typeof x.props === 'object' && x.props !== null) return x as Condition;
  const { type, ...props } = x as Record<string, unknown>;
  const t = String(type);
  return { type: lookupType(t, 'condition')?.type ?? t, props };
}

/** The flow that owns the trigger. */
function ownFlow(ctx: ConditionContext): { namespace: string; id: string } | undefined {
  if (ctx.flow) return ctx.flow;
  const f = ctx.variables.flow as { namespace?: unknown; id?: unknown } | undefined;
  return typeof f?.namespace === 'string' && typeof f.id === 'string'
    ? { namespace: f.namespace, id: f.id }
    : undefined;
}

/** The date a schedule condition looks at (`date`, default `{{ trigger.date }}`), read in its own offset. */
function localDate(ctx: ConditionContext, template: unknown): LocalDateParts | undefined {
  const text = ctx
    .render(typeof template === 'string' ? template : '{{ trigger.date }}', ctx.variables)
    .trim();
  return parseLocalDate(text);
}
