import type { Logger } from 'pino';
import { taskIndex } from '../executor/task-index.js';
import { executionVariables } from '../executor/variables.js';
import type { Flow, Trigger } from '../flow/flow-model.js';
import { resolveInputs } from '../flow/inputs/index.js';
import { createExecution, type Execution } from '../model/execution.js';
import type { Clock } from '../ports/clock.js';
import type { ConditionWindowStore } from '../ports/condition-windows.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { ExecutionStore } from '../ports/execution-store.js';
import { allConditionsHold, type ConditionContext } from './conditions.js';
import { dependsOnFires } from './depends-on.js';
import type { TriggerFlowIndex } from './flow-index.js';
import { evaluateMultiple, isMultiple } from './multiple-condition.js';
import { multipleSpecs } from './preconditions.js';

export const FLOW_TRIGGER_TYPE = 'io.kestra.plugin.core.trigger.Flow';

/** Kestra's default `states` of a Flow trigger: any terminal state. */
const TERMINAL = ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED'];
/** Kestra 2.0's default with `dependsOn`: the terminal states and PAUSED. */
const TERMINAL_OR_PAUSED = [...TERMINAL, 'PAUSED'];

export type FlowTriggerOptions = {
  /** Where the new executions go (in the unit of work of the upstream's end). */
  executions: Pick<ExecutionStore, 'insert' | 'search'>;
  events: Pick<EventQueue, 'append'>;
  /** The live flows that have a Flow trigger. */
  index: TriggerFlowIndex;
  render(template: string, variables: Record<string, unknown>): string;
  renderValue(value: unknown, variables: Record<string, unknown>): unknown;
  newId(): string;
  logger: Logger;
  clock: Clock;
  /** The windows of MultipleCondition and `preconditions` (required by flows that have one). */
  windows?: ConditionWindowStore;
};

/**
 * Kestra's Flow trigger (`core/.../plugin/core/trigger/Flow.java`): when an
 * execution ends, or moves to a non-terminal state that a trigger's `states`
 * names (RUNNING, PAUSED...), every live flow whose Flow trigger's conditions
 * hold gets a new execution, created in the transaction of that change (so
 * it is started exactly once). Its `trigger` variables are the upstream `executionId`,
 * `namespace`, `flowId`, `flowRevision`, `state` and flow `outputs`; the
 * trigger's `inputs` are rendered with the upstream execution's variables
 * (`outputs.<task>...`) plus that `trigger`. A flow never triggers itself.
 * Multiple conditions (MultipleCondition, `preconditions`) are evaluated
 * after the others hold: what each execution satisfies is kept in a time
 * window (multiple-condition.ts), and the trigger fires when all of it holds.
 * A trigger that cannot be evaluated is logged and skipped, never thrown.
 *
 * @example
 * const onEnded = createFlowTriggerHook({ executions, events, index, render, renderValue, newId, logger, clock });
 * onEnded(upstreamExecution, upstreamFlow);
 */
export function createFlowTriggerHook(o: FlowTriggerOptions): (execution: Execution, flow: Flow) => void {
  return (upstream, upstreamFlow) => {
    const candidates = o.index.current();
    if (candidates.length === 0) return;
    const triggerVars = {
      executionId: upstream.id,
      namespace: upstream.namespace,
      flowId: upstream.flowId,
      flowRevision: upstream.flowRevision,
      state: upstream.state.current,
      ...(upstream.outputs ? { outputs: upstream.outputs } : {}),
    };
    let variables: Record<string, unknown> | undefined;
    const vars = (): Record<string, unknown> => {
      if (variables) return variables;
      const byId = new Map(upstream.taskRunList.map((t) => [t.id, t]));
      const tasks = taskIndex(upstreamFlow);
      variables = {
        ...executionVariables(upstreamFlow, upstream, byId, (id) => tasks.get(id)?.task),
        trigger: triggerVars,
      };
      return variables;
    };
    for (const flow of candidates) {
      if (flow.namespace === upstream.namespace && flow.id === upstream.flowId) continue;
      for (const trigger of flow.triggers) {
        if (trigger.type !== FLOW_TRIGGER_TYPE || trigger.disabled) continue;
        try {
          if (!matches(flow, trigger, upstream, vars, o)) continue;
          if (trigger.props.dependsOn !== undefined) {
            const found = dependsOnFires(flow, trigger, upstream, {
              executions: o.executions,
              render: o.render,
              now: o.clock.now(),
              trigger: triggerVars,
              states: statesOf(trigger),
            });
            if (!found) continue;
            const scoped = scopedTriggerVars(trigger, triggerVars, found);
            start(flow, trigger, upstream, { ...vars(), trigger: scoped }, scoped, o, o.clock.now());
            continue;
          }
          start(flow, trigger, upstream, vars(), triggerVars, o, o.clock.now());
        } catch (err) {
          o.logger.warn(
            { err, flow: `${flow.namespace}.${flow.id}`, trigger: trigger.id, upstream: upstream.id },
            'Flow trigger not evaluated',
          );
        }
      }
    }
  };
}

function statesOf(trigger: Trigger): string[] {
  const own = trigger.props.states as string[] | undefined;
  return own ?? (trigger.props.dependsOn !== undefined ? TERMINAL_OR_PAUSED : TERMINAL);
}

/**
 * Kestra 2.0: `trigger.outputs.<flowId>.<key>` for each execution that
 * satisfied an entry; with a single entry the unscoped `trigger.outputs.<key>` too.
 */
function scopedTriggerVars(
  trigger: Trigger,
  base: Record<string, unknown>,
  found: Execution[],
): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  if (((trigger.props.dependsOn as unknown[]) ?? []).length === 1)
    Object.assign(outputs, found[0]?.outputs ?? {});
  for (const x of found) outputs[x.flowId] = x.outputs ?? {};
  return { ...base, outputs };
}

function matches(
  flow: Flow,
  trigger: Trigger,
  upstream: Execution,
  vars: () => Record<string, unknown>,
  o: FlowTriggerOptions,
): boolean {
  if (!statesOf(trigger).includes(upstream.state.current)) return false;
  const ctx: ConditionContext = {
    get variables() {
      return vars();
    },
    render: o.render,
    flow: { namespace: flow.namespace, id: flow.id },
    execution: {
      namespace: upstream.namespace,
      flowId: upstream.flowId,
      state: upstream.state.current,
      labels: upstream.labels,
      outputs: upstream.outputs ?? null,
      attempts: upstream.taskRunList.map((t) => (t.attempts ?? []).map((a) => a.state.current)),
    },
  };
  if (
    !allConditionsHold(
      trigger.conditions.filter((c) => !isMultiple(c)),
      ctx,
    )
  )
    return false;
  const specs = multipleSpecs(trigger, ctx);
  if (specs.length === 0) return true;
  const windows = o.windows;
  if (!windows) throw new Error('multiple conditions need a window store');
  const key = { namespace: flow.namespace, flowId: flow.id, triggerId: trigger.id };
  const now = o.clock.now();
  // Every spec records what this execution satisfies, even when another is not complete yet.
  return specs.map((spec) => evaluateMultiple(spec, windows, key, now)).every(Boolean);
}

function start(
  flow: Flow,
  trigger: Trigger,
  upstream: Execution,
  variables: Record<string, unknown>,
  triggerVars: Record<string, unknown>,
  o: FlowTriggerOptions,
  at: Date,
): void {
  const raw = (
    trigger.props.inputs === undefined ? {} : o.renderValue(trigger.props.inputs, variables)
  ) as Record<string, unknown>;
  const resolved = resolveInputs(flow.inputs, raw, { now: at });
  if (!resolved.ok) {
    throw new Error(`invalid inputs: ${resolved.issues.map((i) => i.message).join(', ')}`);
  }
  const id = o.newId();
  const correlation = upstream.labels.find((l) => l.key === 'system.correlationId')?.value ?? upstream.id;
  const execution = createExecution(
    {
      id,
      namespace: flow.namespace,
      flowId: flow.id,
      flowRevision: flow.revision,
      inputs: resolved.values,
      labels: [
        ...flow.labels.filter((l) => l.key !== 'system.correlationId'),
        { key: 'system.correlationId', value: correlation },
      ],
      trigger: { id: trigger.id, type: FLOW_TRIGGER_TYPE, variables: triggerVars },
    },
    at,
  );
  o.executions.insert(execution);
  o.events.append(id, { type: 'start', runningInFlow: 0 });
}
