/**
 * The states of an execution and of a task run, with Kestra's names (they are
 * persisted and sent over the wire, so they stay SCREAMING and never change).
 * See Kestra `core/.../models/flows/State.java`.
 */
export const STATE_TYPES = [
  /** Just created, not yet looked at by the executor. */
  'CREATED',
  /** Held back by the flow's concurrency limit (behavior QUEUE). */
  'QUEUED',
  /** Work is under way. */
  'RUNNING',
  /** Waiting on a Pause task: a manual resume, a delay or a timeout. */
  'PAUSED',
  /** A failed execution or task run restarted in place; it runs again. */
  'RESTARTED',
  /** A kill was asked; running task runs are being stopped. */
  'KILLING',
  /** A task run failed and waits for its next attempt (retry back-off). */
  'RETRYING',
  /** A task run (or execution) whose failed attempt was retried. */
  'RETRIED',
  /** Ended well. */
  'SUCCESS',
  /** Ended, with something to look at (allowed failure, warning on retry). */
  'WARNING',
  /** Ended in failure. */
  'FAILED',
  /** Stopped by a kill. */
  'KILLED',
  /** Never ran: cancelled (concurrency CANCEL) before it started. */
  'CANCELLED',
  /** Never ran because its `runIf` was false. */
  'SKIPPED',
] as const;

export type StateType = (typeof STATE_TYPES)[number];

const TERMINAL: ReadonlySet<StateType> = new Set<StateType>([
  'SUCCESS',
  'WARNING',
  'FAILED',
  'KILLED',
  'CANCELLED',
  'SKIPPED',
  'RETRIED',
]);

/**
 * True for the states that end an execution or a task run (Kestra's `isTerminated()`).
 *
 * @example
 * isTerminal('SUCCESS'); // true
 * isTerminal('PAUSED');  // false
 */
export function isTerminal(state: StateType): boolean {
  return TERMINAL.has(state);
}

/** True for terminal states that count as a failure (FAILED, KILLED). */
export function isFailed(state: StateType): boolean {
  return state === 'FAILED' || state === 'KILLED';
}

/** True when `value` is one of the state names. */
export function isStateType(value: unknown): value is StateType {
  return typeof value === 'string' && (STATE_TYPES as readonly string[]).includes(value);
}
