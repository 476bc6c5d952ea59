import type { Flow } from '../flow/flow-model.js';
import type { Execution } from '../model/execution.js';
import type { CreateForEachItemCommand } from './for-each-item.js';
import type { CreateSubflowCommand } from './subflow.js';

/**
 * What the executor loop delegates to the features built beside it
 * (Subflow, Flow triggers). Each hook runs inside the transaction of the
 * decision that asked for it, so a crash loses or doubles nothing.
 */
export type ExecutorHooks = {
  /** Store the child execution of a Subflow task run (or an error event for the parent). */
  createSubflow?(parent: Execution, command: CreateSubflowCommand): void;
  /** Split the items of a ForEachItem task run and store one child execution per batch (or an error event for the parent). */
  createForEachItem?(parent: Execution, command: CreateForEachItemCommand): void;
  /** Store a restart event for other executions (ForEachItem RETRY_FAILED). */
  restartExecutions?(executionIds: string[]): void;
  /** Store a kill event for another execution (kill cascade). */
  killExecution?(executionId: string): void;
  /** Create the next attempt of a RETRIED execution (retry behavior CREATE_NEW_EXECUTION): Kestra's replay from the start. */
  retryExecution?(execution: Execution): void;
  /** An execution moved to another non-terminal state (RUNNING, PAUSED, ...): Flow triggers listening to it. */
  executionStateChanged?(execution: Execution, flow: Flow): void;
  /** An execution reached a terminal state: notify a waiting parent, start the flows it triggers. */
  executionEnded?(execution: Execution, flow: Flow): void;
};
