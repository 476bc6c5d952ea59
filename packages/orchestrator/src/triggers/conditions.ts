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
 * `ExecutionLabels` look at the execution that ended.
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
    default:
      throw new UnsupportedConditionError(c.type);
  }
}
