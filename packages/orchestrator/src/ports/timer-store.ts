import type { TimerKind } from '../executor/events.js';

export type DueTimer = { executionId: string; taskRunId: string; kind: TimerKind };

/**
 * Durable timers of the executor (Pause, Sleep, retry delays, scheduled
 * starts): they survive a restart, and the earliest one is what the
 * instance reports as its next wake-up.
 *
 * @example
 * timers.set(executionId, taskRunId, 'retry', Date.now() + 1000);
 * timers.takeDue(Date.now()); // [] until then
 */
export interface TimerStore {
  /** Stores a timer due at `dueAt` (ms). */
  set(executionId: string, taskRunId: string, kind: TimerKind, dueAt: number): void;
  /** Drops every timer of the execution. */
  cancelExecution(executionId: string): void;
  /** Drops the timers of one task run. */
  cancelTaskRun(taskRunId: string): void;
  /** Removes and returns the timers due at `now` (ms). */
  takeDue(now: number): DueTimer[];
  /** The earliest due time (ms), or undefined. */
  earliest(): number | undefined;
}
