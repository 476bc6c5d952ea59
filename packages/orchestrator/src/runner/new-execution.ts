import { InvalidInputsError } from '../executor/engine-errors.js';
import { fileStorer, removeStored } from '../executor/input-files.js';
import type { Flow, Label } from '../flow/flow-model.js';
import { resolveInputs } from '../flow/inputs/index.js';
import { createExecution, type Execution, type ExecutionTrigger } from '../model/execution.js';
import { mergeLabels } from '../model/labels.js';
import { newId } from '../model/new-id.js';
import { transition } from '../model/transitions.js';
import type { Expressions } from '../ports/expressions.js';
import { applyChecks } from './flow-checks.js';

/** What `Engine.create` stores. */
export type CreateArgs = {
  inputs: Record<string, unknown>;
  labels: Label[];
  trigger?: ExecutionTrigger;
  id?: string;
  /** Start at this time (Kestra `scheduleDate`): the execution waits CREATED on a durable timer. */
  scheduleDate?: Date;
  /** A FAIL_EXECUTION check failed: stored FAILED, never started. */
  failedByChecks?: boolean;
};

/** What the callers of `Engine.createWithInputs` give besides the flow and raw inputs. */
export type CreateWithInputsArgs = {
  labels?: Label[];
  trigger?: ExecutionTrigger;
  now?: Date;
  scheduleDate?: Date;
};

/**
 * The new execution (CREATED, or FAILED when its checks failed) of `flow`,
 * with the flow's labels and its correlation id, not stored.
 *
 * @example
 * const execution = newExecution(flow, { inputs: {}, labels: [] }, new Date());
 */
export function newExecution(flow: Flow, args: CreateArgs, now: Date): Execution {
  const id = args.id ?? newId();
  const labels = mergeLabels([...flow.labels, { key: 'system.correlationId', value: id }], args.labels);
  const execution = createExecution(
    {
      id,
      namespace: flow.namespace,
      flowId: flow.id,
      flowRevision: flow.revision,
      inputs: args.inputs,
      labels,
      ...(args.trigger ? { trigger: args.trigger } : {}),
      ...(args.scheduleDate ? { scheduleDate: args.scheduleDate.toISOString() } : {}),
    },
    now,
  );
  if (args.failedByChecks) execution.state = transition('execution', execution.state, 'FAILED', now);
  return execution;
}

/**
 * The raw inputs of a new execution of `flow`, resolved and validated
 * exactly as the API does (files stored under the execution's folder;
 * removed again if any input is refused → `InvalidInputsError`), and the
 * flow's checks applied. With `inputs: null` nothing is read or validated,
 * as Kestra's `runOne(ns, id)` with null inputs (`Execution.newExecution`
 * reads inputs only when given): required inputs without defaults are simply
 * absent. The HTTP API always passes a map (possibly empty), so it always
 * validates.
 *
 * @example
 * engine.create(flow, resolveCreation(flow, { name: 'x' }, {}, { dataDir, now, expressions }));
 */
export function resolveCreation(
  flow: Flow,
  inputs: Record<string, unknown> | null,
  args: CreateWithInputsArgs,
  o: { dataDir: string; now: Date; expressions: Expressions },
): CreateArgs {
  const id = newId();
  const folder = [...flow.namespace.split('.'), flow.id, 'executions', id];
  let values: Record<string, unknown> = {};
  if (inputs !== null) {
    const resolved = resolveInputs(flow.inputs, inputs, {
      now: o.now,
      storeFile: fileStorer(o.dataDir, [...folder, 'inputs']),
    });
    if (!resolved.ok) {
      removeStored(o.dataDir, folder);
      throw new InvalidInputsError(resolved.issues);
    }
    values = resolved.values;
  }
  let outcome: 'RUN' | 'FAILED' = 'RUN';
  try {
    outcome = applyChecks(flow, values, o.expressions);
  } catch (err) {
    removeStored(o.dataDir, folder);
    throw err;
  }
  return {
    id,
    ...(outcome === 'FAILED' ? { failedByChecks: true } : {}),
    inputs: values,
    labels: args.labels ?? [],
    ...(args.trigger ? { trigger: args.trigger } : {}),
    ...(args.scheduleDate ? { scheduleDate: args.scheduleDate } : {}),
  };
}
