import type { Logger } from 'pino';
import type { Flow, Trigger } from '../flow/flow-model.js';
import { resolveInputs } from '../flow/inputs/index.js';
import type { Execution } from '../model/execution.js';
import { newId } from '../model/new-id.js';
import type { Clock } from '../ports/clock.js';
import type { ConditionWindowStore } from '../ports/condition-windows.js';
import type { EngineStores } from '../ports/engine-stores.js';
import type { FlowRepository } from '../ports/flow-repository.js';
import type { TriggerStateRepository } from '../ports/trigger-state.js';
import { parseSchedule, SCHEDULE_TRIGGER_TYPE } from '../scheduler/schedule.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { render, renderValue } from '../template/index.js';
import { allConditionsHold } from '../triggers/conditions.js';
import { TriggerFlowIndex } from '../triggers/flow-index.js';
import { createFlowTriggerHook, FLOW_TRIGGER_TYPE } from '../triggers/flow-trigger.js';
import { ScheduleRunner } from '../triggers/schedule-runner.js';
import type { Engine } from './engine.js';

export type InstanceTriggersOptions = {
  stores: Pick<EngineStores, 'executions' | 'events'>;
  triggerState: TriggerStateRepository;
  /** The windows of Flow triggers' multiple conditions. */
  conditionWindows?: ConditionWindowStore;
  flows: FlowRepository;
  /** Changes whenever a flow is saved or deleted (trigger indexes rebuild only then). */
  flowsSignature: () => string;
  logger: Logger;
  clock: Clock;
};

/**
 * The triggers of one instance, wired over its stores: Flow triggers
 * (evaluated in the transaction of each execution's end), the Schedule
 * runner (one timer on the next fire), and what the triggers API reads.
 *
 * @example
 * const triggers = createInstanceTriggers({ stores, triggerState, flows, flowsSignature, logger, clock });
 * const engine = new Engine({ ..., onExecutionEnded: triggers.onExecutionEnded });
 * triggers.start(engine);
 */
export function createInstanceTriggers(o: InstanceTriggersOptions) {
  const signature = o.flowsSignature;
  const flowTriggers = new TriggerFlowIndex(o.flows, signature, FLOW_TRIGGER_TYPE);
  const schedules = new TriggerFlowIndex(o.flows, signature, SCHEDULE_TRIGGER_TYPE);
  const repository = o.triggerState;
  let engine: Engine | undefined;
  const scheduler = new Scheduler({
    repository,
    clock: o.clock,
    shouldFire: (r) => {
      if (r.trigger.conditions.length === 0) return true;
      try {
        return allConditionsHold(r.trigger.conditions, {
          variables: { trigger: r.variables, flow: { id: r.flow.id, namespace: r.flow.namespace } },
          render: (t, v) => render(t, v),
        });
      } catch (err) {
        o.logger.warn(
          { err, flow: `${r.flow.namespace}.${r.flow.id}`, trigger: r.trigger.id },
          'schedule conditions not evaluated; fire skipped',
        );
        return false;
      }
    },
    createExecution: (r) => {
      if (!engine) throw new Error('the engine is not started');
      const inputs = renderValue(r.inputs, {
        trigger: r.variables,
        flow: { id: r.flow.id, namespace: r.flow.namespace },
      });
      const resolved = resolveInputs(r.flow.inputs, inputs as Record<string, unknown>, { now: r.fireDate });
      if (!resolved.ok)
        throw new Error(`invalid inputs: ${resolved.issues.map((i) => i.message).join(', ')}`);
      return engine.create(r.flow, {
        inputs: resolved.values,
        labels: [],
        trigger: { id: r.trigger.id, type: SCHEDULE_TRIGGER_TYPE, variables: r.variables },
      }).id;
    },
  });
  const runner = new ScheduleRunner({
    scheduler,
    flows: () => schedules.current(),
    signature,
    logger: o.logger,
    clock: o.clock,
  });
  const flowTriggerHook = createFlowTriggerHook({
    executions: o.stores.executions,
    events: o.stores.events,
    index: flowTriggers,
    render: (t, v) => (engine ? engine.expressions.render(t, v) : render(t, v)),
    renderValue: (v, vars) => (engine ? engine.expressions.renderValue(v, vars) : renderValue(v, vars)),
    newId,
    logger: o.logger,
    clock: o.clock,
    ...(o.conditionWindows && { windows: o.conditionWindows }),
  });

  return {
    /** Engine option: Flow triggers whose `states` name a non-terminal state, in the transaction of the change. */
    onExecutionStateChanged(execution: Execution, flow: Flow): void {
      flowTriggerHook(execution, flow);
    },
    /** Engine option: Flow triggers and `stopAfter` of schedules, in the transaction of an execution's end. */
    onExecutionEnded(execution: Execution, flow: Flow): void {
      flowTriggerHook(execution, flow);
      const t = execution.trigger;
      if (t?.type === SCHEDULE_TRIGGER_TYPE) {
        try {
          scheduler.onExecutionEnded(flow, t.id, execution.state.current);
        } catch (err) {
          o.logger.warn({ err, trigger: t.id }, 'stopAfter not applied');
        }
      }
    },
    start(e: Engine): void {
      engine = e;
      runner.start();
    },
    stop(): void {
      runner.stop();
      engine = undefined;
    },
    /** The next schedule fire, for the lifecycle report. */
    nextWakeAt(): Date | null {
      return runner.nextWakeAt();
    },
    state: (namespace: string, flowId: string, triggerId: string) =>
      repository.get({ namespace, flowId, triggerId }),
    nextFire(flow: Flow, trigger: Trigger): Date | undefined {
      if (trigger.type !== SCHEDULE_TRIGGER_TYPE) return undefined;
      try {
        const s = repository.get({ namespace: flow.namespace, flowId: flow.id, triggerId: trigger.id });
        if (s?.nextFireAt) return new Date(s.nextFireAt);
        return parseSchedule(trigger).nextFireAfter(o.clock.now()) ?? undefined;
      } catch {
        return undefined;
      }
    },
  };
}

export type InstanceTriggers = ReturnType<typeof createInstanceTriggers>;
