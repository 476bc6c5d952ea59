import { isTerminal, type StateType } from '@silo/contracts';
import type { Label } from '../flow/flow-model.js';
import { initialState, type State } from './state.js';

/** One try of a task run. Retries and restarts add attempts; they never add task runs. */
export type TaskRunAttempt = { state: State; workerId?: string | null };

/**
 * What a flowable task run remembers between decisions (not on the wire).
 * Each field belongs to one task type.
 */
export type FlowableMemory = {
  /** If: which branch the condition chose. */
  branch?: 'then' | 'else';
  /** Switch: the case chosen (`undefined` key = defaults). */
  caseKey?: string | null;
  /** ForEach/EachSequential/EachParallel: the rendered values, as strings. */
  values?: string[];
  /** LoopUntil: the current iteration (0-based) and whether it waits for its check interval. */
  iteration?: number;
  waitingUntil?: string;
  /** Pause: whether it was resumed. */
  resumed?: boolean;
  /** ForEachItem: the child execution of each batch, and the end state of each batch that ended. */
  children?: string[];
  ended?: Record<string, StateType>;
};

/** Which branch of its parent block a task run belongs to. */
export type Branch = 'tasks' | 'errors' | 'finally' | 'afterExecution';

/** Kestra's `TaskRun`. */
export type TaskRun = {
  id: string;
  executionId: string;
  namespace: string;
  flowId: string;
  taskId: string;
  parentTaskRunId?: string;
  /** The iteration value of the nearest loop (ForEach...), as a string. */
  value?: string;
  /** LoopUntil iteration. */
  iteration?: number;
  attempts: TaskRunAttempt[];
  outputs?: Record<string, unknown> | null;
  state: State;
  /** Internal: the branch this task run runs in (errors/finally runs are dropped on restart). */
  branch: Branch;
  /** Internal: flowable bookkeeping. */
  memory?: FlowableMemory;
};

/** Kestra's `ExecutionTrigger`. */
export type ExecutionTrigger = { id: string; type: string; variables?: Record<string, unknown> };

/** Kestra's `Execution`. The task runs are a flat list; the tree is in `parentTaskRunId`. */
export type Execution = {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: State;
  taskRunList: TaskRun[];
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown> | null;
  labels: Label[];
  variables?: Record<string, unknown>;
  trigger?: ExecutionTrigger;
  parentId?: string;
  originalId?: string;
  scheduleDate?: string;
  /** Internal: a kill was asked (state may still be KILLING). */
  killed?: boolean;
  /** Kestra `metadata.attemptNumber`: 1, plus one per replay (flow retry CREATE_NEW_EXECUTION included). */
  attemptNumber?: number;
  /** Kestra `metadata.originalCreatedDate`: when the first execution of a replay chain was created. */
  originalCreatedDate?: string;
};

/**
 * A new execution in CREATED. `originalId` is its own id, as in Kestra.
 *
 * @example
 * const exec = createExecution({ id: 'abc', flow, inputs: {}, labels: [] }, new Date());
 */
export function createExecution(
  args: {
    id: string;
    namespace: string;
    flowId: string;
    flowRevision: number;
    inputs: Record<string, unknown>;
    labels: Label[];
    trigger?: ExecutionTrigger;
    parentId?: string;
    originalId?: string;
    scheduleDate?: string;
  },
  now: Date,
): Execution {
  return {
    id: args.id,
    namespace: args.namespace,
    flowId: args.flowId,
    flowRevision: args.flowRevision,
    state: initialState('CREATED', now),
    taskRunList: [],
    inputs: args.inputs,
    labels: args.labels,
    originalId: args.originalId ?? args.id,
    ...(args.trigger ? { trigger: args.trigger } : {}),
    ...(args.parentId ? { parentId: args.parentId } : {}),
    ...(args.scheduleDate ? { scheduleDate: args.scheduleDate } : {}),
  };
}

/** True when the execution is terminal and nothing (afterExecution tasks included) still runs. */
export function isSettled(execution: Execution): boolean {
  return (
    isTerminal(execution.state.current) && execution.taskRunList.every((t) => isTerminal(t.state.current))
  );
}

/** True for states that count as a failure of a branch. */
export function isFailure(state: StateType): boolean {
  return state === 'FAILED' || state === 'KILLED';
}
