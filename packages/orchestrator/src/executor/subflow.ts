import { isTerminal, type StateType } from '@silo/contracts';
import type { Flow, Label, Task } from '../flow/flow-model.js';
import { resolveInputs } from '../flow/inputs/index.js';
import { createExecution, type Execution, type TaskRun } from '../model/execution.js';
import { mergeLabels } from '../model/labels.js';
import { closeAttempt, failAttempt } from './attempts.js';
import { type DecisionContext, errorMessage } from './decision-context.js';
import type { Command, ExecutorEvent } from './events.js';

/** Kestra's Subflow task: the executor runs it (no worker job) by creating a child execution. */
export const SUBFLOW_TYPE = 'io.kestra.plugin.core.flow.Subflow';

export type CreateSubflowCommand = Extract<Command, { kind: 'createSubflow' }>;
export type SubflowEvent = Extract<ExecutorEvent, { type: 'subflow' }>;

/** Kestra's label that ties every execution of one tree (parent, children, triggered flows) together. */
export const CORRELATION_ID = 'system.correlationId';

/**
 * Starts an attempt of a Subflow task run (Kestra `Subflow.createSubflowExecutions`):
 * renders `namespace`, `flowId`, `inputs`, `labels` in the parent's context,
 * picks the child's id, and asks the loop to create the child execution in
 * the decision's transaction. The task run's `outputs.executionId` is the
 * child's id from the start. A rendering error fails the attempt.
 */
export function startSubflow(ctx: DecisionContext, tr: TaskRun, task: Task): void {
  const p = task.props;
  let command: CreateSubflowCommand;
  try {
    const vars = ctx.varsFor(tr, task, tr.attempts.length - 1);
    const str = (name: string): string => {
      const v = p[name];
      if (typeof v !== 'string' || v === '')
        throw new Error(`Subflow '${task.id}': property '${name}' is required`);
      return ctx.deps.expressions.render(v, vars);
    };
    const inputs = (p.inputs === undefined ? {} : ctx.deps.expressions.renderValue(p.inputs, vars)) as Record<
      string,
      unknown
    >;
    const labels = childLabels(ctx, task, vars);
    const revision = p.revision === undefined ? undefined : Number(p.revision);
    command = {
      kind: 'createSubflow',
      parentId: ctx.exec.id,
      taskRunId: tr.id,
      taskId: task.id,
      childId: ctx.deps.newId(),
      namespace: str('namespace'),
      flowId: str('flowId'),
      ...(revision !== undefined && Number.isInteger(revision) ? { revision } : {}),
      inputs: inputs && typeof inputs === 'object' && !Array.isArray(inputs) ? inputs : {},
      labels,
      wait: p.wait !== false,
    };
  } catch (err) {
    failAttempt(ctx, tr, task, errorMessage(err));
    return;
  }
  tr.outputs = { executionId: command.childId };
  ctx.touch(tr);
  ctx.commands.push(command);
}

/**
 * The labels of a child execution (Subflow, ForEachItem): the tree's
 * correlation id, the parent's own labels with `inheritLabels`, then the
 * task's rendered `labels`.
 */
export function childLabels(ctx: DecisionContext, task: Task, vars: Record<string, unknown>): Label[] {
  const p = task.props;
  const taskLabels = labelList(
    p.labels === undefined ? [] : ctx.deps.expressions.renderValue(p.labels, vars),
  );
  const correlation = ctx.exec.labels.find((l) => l.key === CORRELATION_ID)?.value ?? ctx.exec.id;
  const inherited =
    p.inheritLabels === true ? ctx.exec.labels.filter((l) => !l.key.startsWith('system.')) : [];
  return mergeLabels([{ key: CORRELATION_ID, value: correlation }, ...inherited], taskLabels);
}

/**
 * The child of a Subflow task run was created (no `wait`), ended (with
 * `wait`), or could not be created: ends the parent's task run. With
 * `transmitFailed` (default true) a FAILED, KILLED, WARNING or PAUSED child
 * gives its state to the task run (Kestra `ExecutableUtils.guessState`).
 */
export function onSubflowResult(ctx: DecisionContext, ev: SubflowEvent): void {
  const tr = ctx.byId.get(ev.taskRunId);
  if (tr?.state.current !== 'RUNNING') return;
  if (tr.outputs?.executionId !== ev.executionId) return;
  const task = ctx.task(tr.taskId);
  if (!task) return;
  if (ev.error !== undefined) {
    failAttempt(ctx, tr, task, ev.error);
    return;
  }
  if (!isTerminal(ev.state)) {
    closeAttempt(ctx, tr, 'SUCCESS');
    ctx.end(tr, task, 'SUCCESS');
    return;
  }
  tr.outputs = {
    executionId: ev.executionId,
    state: ev.state,
    ...(ev.outputs !== undefined ? { outputs: ev.outputs } : {}),
  };
  const transmit = task.props.transmitFailed !== false;
  const s = ev.state;
  const end: StateType =
    transmit && (s === 'FAILED' || s === 'KILLED' || s === 'WARNING' || s === 'PAUSED')
      ? s === 'PAUSED'
        ? 'FAILED'
        : s
      : 'SUCCESS';
  if (ev.renderError !== undefined) {
    ctx.log('ERROR', ev.renderError, tr);
    closeAttempt(ctx, tr, 'FAILED');
    ctx.end(tr, task, 'FAILED');
    return;
  }
  closeAttempt(
    ctx,
    tr,
    end === 'KILLED' ? 'KILLED' : end === 'SUCCESS' ? 'SUCCESS' : end === 'WARNING' ? 'WARNING' : 'FAILED',
  );
  if (end === 'KILLED') ctx.move(tr, 'KILLED');
  else ctx.end(tr, task, end);
}

/** Kill cascade: the child of a running Subflow task run is killed with its parent. */
export function killSubflow(ctx: DecisionContext, tr: TaskRun): void {
  const child = tr.outputs?.executionId;
  if (typeof child === 'string') ctx.commands.push({ kind: 'killExecution', executionId: child });
}

/** How the executor's I/O side finds the flows of child executions. */
export type FlowLookup = {
  /** A flow by revision (deleted ones included), as the executor reads them. */
  flowOf(namespace: string, id: string, revision: number): Flow | undefined;
  /** The latest revision of a live flow. */
  latestFlow(namespace: string, id: string): Flow | undefined;
};

/** What a child execution is made from (Subflow, one batch of ForEachItem). */
export type ChildSpec = {
  childId: string;
  taskId: string;
  taskRunId: string;
  namespace: string;
  flowId: string;
  revision?: number;
  inputs: Record<string, unknown>;
  labels: Label[];
  /** The child's `trigger.id` and `trigger.type`. */
  triggerId: string;
  triggerType: string;
  /** More `trigger.variables` (ForEachItem: `taskRunIteration`). */
  variables?: Record<string, unknown>;
  at: Date;
};

/**
 * Builds (does not store) the child execution of a Subflow or ForEachItem
 * task run: the flow (a revision, else the latest), not disabled, the inputs
 * resolved as the API does, the labels merged with the flow's. Answers
 * Kestra's message when the child cannot be made.
 */
export function buildChild(
  o: FlowLookup,
  parent: Execution,
  c: ChildSpec,
): { ok: true; execution: Execution } | { ok: false; error: string } {
  const flow =
    c.revision !== undefined
      ? o.flowOf(c.namespace, c.flowId, c.revision)
      : o.latestFlow(c.namespace, c.flowId);
  if (!flow) {
    return {
      ok: false,
      error: `Unable to find flow '${c.namespace}'.'${c.flowId}'${c.revision !== undefined ? ` with revision ${c.revision}` : ''}`,
    };
  }
  if (flow.disabled)
    return { ok: false, error: `Cannot execute disabled flow '${c.namespace}'.'${c.flowId}'` };
  const resolved = resolveInputs(flow.inputs, c.inputs, { now: c.at });
  if (!resolved.ok) {
    return {
      ok: false,
      error: `Invalid inputs of the subflow '${c.namespace}'.'${c.flowId}': ${resolved.issues.map((i) => i.message).join(', ')}`,
    };
  }
  const labels = mergeLabels(
    c.labels,
    flow.labels.filter((l) => !c.labels.some((x) => x.key === l.key)),
  );
  const execution = createExecution(
    {
      id: c.childId,
      namespace: flow.namespace,
      flowId: flow.id,
      flowRevision: flow.revision,
      inputs: resolved.values,
      labels,
      trigger: {
        id: c.triggerId,
        type: c.triggerType,
        variables: {
          executionId: parent.id,
          namespace: parent.namespace,
          flowId: parent.flowId,
          flowRevision: parent.flowRevision,
          taskRunId: c.taskRunId,
          taskId: c.taskId,
          ...c.variables,
        },
      },
    },
    c.at,
  );
  return { ok: true, execution };
}

export function labelList(v: unknown): Label[] {
  if (Array.isArray(v)) {
    return v
      .filter((x): x is { key: unknown; value: unknown } => x !== null && typeof x === 'object' && 'key' in x)
      .map((x) => ({ key: String(x.key), value: String(x.value) }));
  }
  if (v !== null && typeof v === 'object') {
    return Object.entries(v).map(([key, value]) => ({ key, value: String(value) }));
  }
  return [];
}
