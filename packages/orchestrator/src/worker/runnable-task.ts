import type { Task } from '../flow/flow-model.js';
import type { KvService } from '../ports/kv-store.js';
import type { LogSearch } from '../ports/log-store.js';
import type { PurgeCounts, PurgeQuery } from '../runner/execution-admin.js';

/**
 * The port a runnable task type implements (Log, Return, Fail, Sleep, KV,
 * shell, HTTP, ...). The worker calls `run` for one attempt of one task run,
 * with an AbortSignal that fires on kill or timeout. Throwing fails the
 * attempt (retryable unless the error is a `NonRetryableTaskError`).
 */
export type RunnableTask = {
  /** Canonical type this implementation runs, e.g. `io.kestra.plugin.core.log.Log`. */
  type: string;
  run(task: Task, ctx: RunContext): Promise<TaskResult>;
};

export type TaskResult = {
  /** Becomes `outputs.<taskId>` (per iteration value inside loops). */
  outputs?: Record<string, unknown>;
  /** Default SUCCESS. WARNING ends the task run in WARNING without failing it. */
  state?: 'SUCCESS' | 'WARNING';
};

export type TaskLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Everything a task may use while it runs. Nothing else reaches it. */
export type RunContext = {
  /** Fires on kill or timeout; long work must stop when it does. */
  signal: AbortSignal;
  /** Renders a template (strict mode) in this task run's context: `inputs`, `outputs`, `taskrun`, `parents`... */
  render(template: string): string;
  /** Renders every string inside a value (objects and arrays included). */
  renderValue<T = unknown>(value: T): unknown;
  /** Writes a log line of this attempt (kept in SQLite, filtered by the task's `logLevel`). */
  log(level: TaskLogLevel, message: string): void;
  executionId: string;
  taskRunId: string;
  namespace: string;
  flowId: string;
  /** The attempt number, from 1. */
  attempt: number;
  /** The tenant's data folder (files, working directories live under it). */
  dataDir: string;
  /** The rendering variables of this task run (read-only), for tasks that need more than `render`. */
  variables: Readonly<Record<string, unknown>>;
  /** Services that some tasks need; absent when the instance does not provide them. */
  services: TaskServices;
};

/** Optional services; each task checks for the one it needs and fails with a clear message if absent. */
export type TaskServices = {
  kv?: KvService;
  /** Removes ended executions, their logs and files (execution.PurgeExecutions). */
  purgeExecutions?(query: PurgeQuery): PurgeCounts;
  /** Removes the log lines `query` selects, answering how many (log.PurgeLogs). */
  purgeLogs?(query: LogSearch): number;
  /** Replaces the execution's labels (execution.Labels). */
  setLabels?(labels: Array<{ key: string; value: string }>): void;
};

/** A failure that no retry can fix (e.g. invalid properties): the worker skips the remaining attempts. Note: Kestra retries a Fail task like any other. */
export class NonRetryableTaskError extends Error {
  override readonly name = 'NonRetryableTaskError';
}

/** The task ran past its `timeout`; retryable like any failure. */
export class TaskTimeoutError extends Error {
  override readonly name = 'TaskTimeoutError';
  constructor(
    readonly taskId: string,
    readonly timeoutMs: number,
  ) {
    super(`Task '${taskId}' timed out after ${timeoutMs} ms`);
  }
}
