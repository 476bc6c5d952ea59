import type { StateType } from '@silo/contracts';
import type { Label } from '../flow/flow-model.js';
import type { ExecutionTrigger } from './execution.js';
import type { StateHistory } from './state.js';

/**
 * The wire shapes of the executions API, as `stateJson`, `taskRunJson`,
 * `executionJson` and `logEntryJson` write them (Kestra's JSON). Clients
 * and tests read answers through these types instead of `any`; values the
 * flow author controls (inputs, outputs, variables) stay `unknown`.
 *
 * @example
 * const e = (await (await app.request(`/api/v1/main/executions/${id}`)).json()) as ExecutionJson;
 * expect(e.taskRunList.map((t) => t.state.current)).toEqual(['SUCCESS']);
 */
export type StateJson = {
  current: StateType;
  histories: StateHistory[];
  startDate: string;
  /** Terminal states only. */
  endDate?: string;
  /** ISO-8601, e.g. `PT1.234S`. */
  duration: string;
};

/** One attempt of a task run on the wire. */
export type TaskRunAttemptJson = { state: StateJson; workerId?: string };

/** Kestra's `TaskRun` on the wire. */
export type TaskRunJson = {
  id: string;
  executionId: string;
  namespace: string;
  flowId: string;
  taskId: string;
  parentTaskRunId?: string;
  value?: string;
  iteration?: number;
  attempts: TaskRunAttemptJson[];
  outputs: Record<string, unknown> | null;
  state: StateJson;
};

/** Kestra's `Execution` on the wire. */
export type ExecutionJson = {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  labels: Label[];
  taskRunList: TaskRunJson[];
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  state: StateJson;
  parentId?: string;
  originalId?: string;
  trigger?: ExecutionTrigger;
  scheduleDate?: string;
  deleted: boolean;
  metadata: { attemptNumber: number; originalCreatedDate?: string };
};

/** A page of `GET /executions/search`. */
export type ExecutionPageJson = { results: ExecutionJson[]; total: number };

/** Kestra's `LogEntry` on the wire. */
export type LogEntryJson = {
  namespace: string;
  flowId: string;
  taskId: string | null;
  executionId: string;
  taskRunId: string | null;
  attemptNumber: number | null;
  timestamp: string;
  level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  thread: string;
  message: string;
};
