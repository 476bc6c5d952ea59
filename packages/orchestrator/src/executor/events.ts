import type { StateType } from '@silo/contracts';
import type { Task } from '../flow/flow-model.js';
import type { SplitOptions } from '../storage/split-items.js';

/** Why a durable timer was set; the timer's event carries it back. */
export type TimerKind =
  | 'retry'
  | 'sleep'
  | 'pauseDelay'
  | 'pauseTimeout'
  | 'loopCheck'
  | 'retryFlow'
  /** An execution created with a future `scheduleDate` (its task run id is the execution id): fires its `start`. */
  | 'scheduledStart';

/**
 * What the executor reacts to. Every event is stored before it is decided,
 * so a crash between the two loses nothing.
 */
export type ExecutorEvent =
  /**
   * Start (or re-try to start) a CREATED or QUEUED execution; `runningInFlow` counts the flow's active
   * executions for `concurrency`; `tenantSlots` (filled by the loop under `maxConcurrentExecutions`)
   * the instance's top-level executions holding a slot and the cap: at the cap, the execution waits QUEUED.
   */
  | { type: 'start'; runningInFlow: number; tenantSlots?: { running: number; limit: number } }
  /** One attempt of one task run ended in the worker. */
  | {
      type: 'taskResult';
      taskRunId: string;
      attempt: number;
      outcome: 'SUCCESS' | 'WARNING' | 'FAILED' | 'KILLED';
      outputs?: Record<string, unknown>;
      error?: string;
      /** `NonRetryableTaskError`: skip the remaining attempts. */
      nonRetryable?: boolean;
      labels?: Array<{ key: string; value: string }>;
    }
  /** A durable timer came due. */
  | { type: 'timer'; taskRunId: string; kind: TimerKind }
  /** The worker that ran this attempt died (crash recovery): resubmit as a new attempt. */
  | { type: 'workerLost'; taskRunId: string; attempt: number }
  | { type: 'kill' }
  /** Resume a PAUSED execution; `onResume` holds the resolved `onResume` inputs per paused task run id. */
  | { type: 'resume'; onResume?: Record<string, Record<string, unknown>> }
  | { type: 'restart' }
  /** Re-evaluate (after a restart, or after start-up recovery). */
  | { type: 'continue' }
  /** The child of a Subflow task run was created (no `wait`), ended, or could not be created (`error`). See subflow.ts. */
  | {
      type: 'subflow';
      taskRunId: string;
      /** The child execution's id. */
      executionId: string;
      state: StateType;
      /** The task's `outputs`, rendered in the child's context. */
      outputs?: Record<string, unknown>;
      /** The child could not be created. */
      error?: string;
      /** The task's `outputs` could not be rendered. */
      renderError?: string;
    }
  /** The children of a ForEachItem task run were created (one id per batch, in order) or could not be (`error`). See for-each-item.ts. */
  | { type: 'forEachItemCreated'; taskRunId: string; executionIds?: string[]; error?: string }
  /** The child of batch `iteration` of a ForEachItem task run ended. */
  | { type: 'forEachItemEnded'; taskRunId: string; executionId: string; iteration: number; state: StateType };

/** What a decision asks the I/O loop to do, all in the decision's transaction. */
export type Command =
  /** Enqueue a job: run attempt `attempt` of the task run in the worker. */
  | {
      kind: 'runTask';
      taskRunId: string;
      taskId: string;
      attempt: number;
      task: Task;
      variables: Record<string, unknown>;
      /** Ms; the worker aborts the attempt after it. */
      timeoutMs?: number;
    }
  /** Store a durable timer. */
  | { kind: 'setTimer'; taskRunId: string; timer: TimerKind; dueAt: string }
  /** Drop the timers of these task runs (all of the execution's when absent). */
  | { kind: 'cancelTimers'; taskRunIds?: string[] }
  /** Abort a running worker job (kill). */
  | { kind: 'abortTask'; taskRunId: string }
  /** Store a log line. */
  | {
      kind: 'log';
      level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
      message: string;
      taskRunId?: string;
      taskId?: string;
      attempt?: number;
    }
  /** The execution reached a terminal state: release its concurrency slot, wake waiters. */
  | { kind: 'executionEnded'; state: StateType }
  /** Decide this execution again with a `continue` event (after this decision is committed). */
  | { kind: 'continue' }
  /** Create the child execution of a Subflow task run (subflow.ts), in the decision's transaction. */
  | {
      kind: 'createSubflow';
      parentId: string;
      taskRunId: string;
      taskId: string;
      childId: string;
      namespace: string;
      flowId: string;
      revision?: number;
      inputs: Record<string, unknown>;
      labels: Array<{ key: string; value: string }>;
      wait: boolean;
    }
  /**
   * Split the items of a ForEachItem task run into batch files and create one
   * child execution per batch (for-each-item.ts), in the decision's transaction.
   */
  | {
      kind: 'createForEachItem';
      parentId: string;
      taskRunId: string;
      taskId: string;
      /** The rendered `items` URI. */
      items: string;
      batch: SplitOptions;
      namespace: string;
      flowId: string;
      revision?: number;
      /** The task's `inputs`, unrendered: rendered per batch with `taskrun.items` and `taskrun.iteration`. */
      inputs: unknown;
      /** The task run's variables to render `inputs` with. */
      variables: Record<string, unknown>;
      labels: Array<{ key: string; value: string }>;
      wait: boolean;
      /** Where the batch files go in the storage (`{ns}/{flow}/executions/{id}/tasks/{task}/{taskRun}`). */
      folder: string[];
    }
  /** Restart other executions in place (the failed children of a restarted ForEachItem). */
  | { kind: 'restartExecutions'; executionIds: string[] }
  /** Kill another execution (the child of a killed Subflow task run). */
  | { kind: 'killExecution'; executionId: string }
  /** Retry behavior CREATE_NEW_EXECUTION came due: replay this (RETRIED) execution from the start as a new one. */
  | { kind: 'retryExecution' };
