import type { Flow } from '../flow/flow-model.js';
import type { Execution } from '../model/execution.js';
import type { Clock } from '../ports/clock.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { ExecutionStore } from '../ports/execution-store.js';
import type { Expressions } from '../ports/expressions.js';
import { errorMessage } from './decision-context.js';
import {
  buildChild,
  type CreateSubflowCommand,
  type FlowLookup,
  SUBFLOW_TYPE,
  type SubflowEvent,
} from './subflow.js';
import { taskIndex } from './task-index.js';
import { executionVariables } from './variables.js';

export type SubflowHooksOptions = FlowLookup & {
  executions: Pick<ExecutionStore, 'insert' | 'get'>;
  events: EventQueue;
  expressions: Expressions;
  clock: Clock;
};

/**
 * The I/O side of Subflow, run inside the executor's transaction:
 * `createSubflow` stores the child execution and its start event (or an
 * error event for the parent); when a child ends, its parent gets a
 * `subflow` event with the child's state and the rendered task `outputs`.
 */
export function createSubflowHooks(o: SubflowHooksOptions) {
  const toParent = (
    c: { parentId: string; taskRunId: string; childId: string },
    rest: Omit<SubflowEvent, 'type' | 'taskRunId' | 'executionId'>,
  ) =>
    o.events.append(c.parentId, {
      type: 'subflow',
      taskRunId: c.taskRunId,
      executionId: c.childId,
      ...rest,
    });

  return {
    createSubflow(parent: Execution, c: CreateSubflowCommand): void {
      const built = buildChild(o, parent, {
        ...c,
        triggerId: c.taskId,
        triggerType: SUBFLOW_TYPE,
        at: o.clock.now(),
      });
      if (!built.ok) {
        toParent(c, { state: 'FAILED', error: built.error });
        return;
      }
      o.executions.insert(built.execution);
      o.events.append(built.execution.id, { type: 'start', runningInFlow: 0 });
      if (!c.wait) toParent(c, { state: 'CREATED' });
    },

    /** A child ended: tell its parent (whose task run ignores it unless it waits for this child). */
    executionEnded(child: Execution, childFlow: Flow): void {
      const t = child.trigger;
      if (t?.type !== SUBFLOW_TYPE || !t.variables) return;
      const parentId = t.variables.executionId;
      const taskRunId = t.variables.taskRunId;
      if (typeof parentId !== 'string' || typeof taskRunId !== 'string') return;
      const parent = o.executions.get(parentId)?.execution;
      const tr = parent?.taskRunList.find((x) => x.id === taskRunId);
      if (!parent || !tr || tr.state.current !== 'RUNNING' || tr.outputs?.executionId !== child.id) return;
      const parentFlow = o.flowOf(parent.namespace, parent.flowId, parent.flowRevision);
      const task = parentFlow ? taskIndex(parentFlow).get(tr.taskId)?.task : undefined;
      const ids = { parentId, taskRunId, childId: child.id };
      let outputs: Record<string, unknown> | undefined;
      let renderError: string | undefined;
      if (task?.props.outputs !== undefined && task.props.outputs !== null) {
        try {
          const byId = new Map(child.taskRunList.map((x) => [x.id, x]));
          const index = taskIndex(childFlow);
          const vars = executionVariables(childFlow, child, byId, (id) => index.get(id)?.task);
          outputs = o.expressions.renderValue(task.props.outputs, vars) as Record<string, unknown>;
        } catch (err) {
          renderError = `Failed to render the outputs of subflow task '${tr.taskId}': ${errorMessage(err)}`;
        }
      }
      // Without the task's own `outputs`, the child's flow outputs are the task's `outputs` (Kestra's Subflow).
      if (outputs === undefined && renderError === undefined && child.outputs) outputs = { ...child.outputs };
      toParent(ids, {
        state: child.state.current,
        ...(outputs !== undefined ? { outputs } : {}),
        ...(renderError !== undefined ? { renderError } : {}),
      });
    },

    killExecution(executionId: string): void {
      o.events.append(executionId, { type: 'kill' });
    },
  };
}

export type SubflowHooks = ReturnType<typeof createSubflowHooks>;
