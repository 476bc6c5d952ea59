import type { Condition } from '../flow/flow-model.js';
import { isTruthy } from '../template/index.js';

const P = 'io.kestra.plugin.core.condition';

/** What a trigger condition looks at: the rendering variables, and the execution that ended (Flow trigger). */
export type ConditionContext = {
  variables: Record<string, unknown>;
  render(template: string, variables: Record<string, unknown>): string;
  /** The upstream execution, for the execution conditions. */
  execution?: {
    namespace: string;
    flowId: string;
    state: string;
    labels: Array<{ key: string; value: string }>;
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
 * `ExecutionLabels` look at the execution that ended; the schedule
 * conditions `DayWeek`, `Weekend`, `TimeBetween`, `DateTimeBetween` look at
 * `date` (default `{{ trigger.date }}`); `Not` and `Or` nest others.
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
    case `${P}.Weekend`: {
      const d = localDate(ctx, p.date);
      return d !== undefined && (d.dayOfWeek === 0 || d.dayOfWeek === 6);
    }
    case `${P}.TimeBetween`: {
      const d = localDate(ctx, p.date);
      if (d === undefined) return false;
      const after = p.after === undefined ? undefined : secondsOfDay(String(p.after));
      const before = p.before === undefined ? undefined : secondsOfDay(String(p.before));
      return (after === undefined || d.seconds >= after) && (before === undefined || d.seconds <= before);
    }
    case `${P}.DateTimeBetween`: {
      const d = localDate(ctx, p.date);
      if (d === undefined) return false;
      const after = p.after === undefined ? undefined : Date.parse(String(p.after));
      const before = p.before === undefined ? undefined : Date.parse(String(p.before));
      return (after === undefined || d.epochMs >= after) && (before === undefined || d.epochMs <= before);
    }
    default:
      throw new UnsupportedConditionError(c.type);
  }
}

const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

/** Nested conditions (`Not`, `Or`) as written in YAML: `{type, ...props}`. */
function normalise(x: Condition | Record<string, unknown>): Condition {
  if ('props' in x && typeof x.props === 'object' && x.props !== null) return x as Condition;
  const { type, ...props } = x as Record<string, unknown>;
  const t = String(type);
  return {
    type: t.replace(/Condition$/, '').replace('io.kestra.core.models.conditions.types.', `${P}.`),
    props,
  };
}

/**
 * The date a schedule condition looks at (`date`, default `{{ trigger.date }}`),
 * read in its own offset: the local day of week, seconds of the day, and the instant.
 */
function localDate(
  ctx: ConditionContext,
  template: unknown,
): { dayOfWeek: number; seconds: number; epochMs: number } | undefined {
  const text = ctx
    .render(typeof template === 'string' ? template : '{{ trigger.date }}', ctx.variables)
    .trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  const epochMs = Date.parse(text);
  if (!m || Number.isNaN(epochMs)) return undefined;
  const [, y, mo, d, h, mi, se] = m;
  const dayOfWeek = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCDay();
  return { dayOfWeek, seconds: Number(h) * 3600 + Number(mi) * 60 + Number(se ?? 0), epochMs };
}

/** `HH:mm[:ss]` (an offset after it is ignored: times compare in the date's own zone). */
function secondsOfDay(text: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(text.trim());
  if (!m) throw new Error(`invalid time '${text}', expected HH:mm or HH:mm:ss`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}
