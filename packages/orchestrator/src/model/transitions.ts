import type { StateType } from '@silo/contracts';
import { appendState, type State } from './state.js';

/** A state move that the transition table does not allow; names both states. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  readonly code = 'ILLEGAL_TRANSITION';
  constructor(
    readonly entity: 'execution' | 'taskRun' | 'attempt',
    readonly from: StateType,
    readonly to: StateType,
  ) {
    super(`illegal ${entity} transition from ${from} to ${to}`);
  }
}

type Table = Readonly<Partial<Record<StateType, readonly StateType[]>>>;

/**
 * Which moves an execution may make. Terminal states only leave through a
 * restart (FAILED, KILLED, WARNING → RESTARTED), as in Kestra's
 * `ExecutionService.restart`.
 */
export const EXECUTION_TRANSITIONS: Table = {
  CREATED: ['RUNNING', 'QUEUED', 'CANCELLED', 'FAILED', 'KILLING', 'KILLED', 'SUCCESS', 'WARNING'],
  QUEUED: ['RUNNING', 'CANCELLED', 'KILLING', 'KILLED', 'FAILED'],
  // RETRIED: a task failed under a retry with behavior CREATE_NEW_EXECUTION; a new execution follows.
  RUNNING: ['PAUSED', 'SUCCESS', 'WARNING', 'FAILED', 'KILLING', 'KILLED', 'RETRIED'],
  PAUSED: ['RUNNING', 'KILLING', 'KILLED', 'FAILED', 'SUCCESS', 'WARNING'],
  RESTARTED: ['RUNNING', 'KILLING', 'KILLED', 'FAILED', 'SUCCESS', 'WARNING', 'PAUSED'],
  KILLING: ['KILLED'],
  FAILED: ['RESTARTED'],
  KILLED: ['RESTARTED'],
  WARNING: ['RESTARTED'],
};

/**
 * Which moves a task run may make. RETRYING waits for the next attempt's
 * back-off; FAILED/KILLED → RESTARTED is the restart of a failed execution.
 */
export const TASK_RUN_TRANSITIONS: Table = {
  CREATED: ['RUNNING', 'SKIPPED', 'FAILED', 'KILLED', 'CANCELLED'],
  RUNNING: ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'KILLING', 'PAUSED', 'RETRYING', 'RETRIED'],
  RETRYING: ['RUNNING', 'KILLED', 'FAILED'],
  PAUSED: ['RUNNING', 'FAILED', 'KILLED', 'SUCCESS', 'WARNING'],
  KILLING: ['KILLED'],
  RESTARTED: ['RUNNING', 'KILLED', 'FAILED', 'SUCCESS', 'WARNING'],
  FAILED: ['RESTARTED'],
  KILLED: ['RESTARTED'],
  WARNING: ['RESTARTED'],
};

/** Which moves one attempt may make. */
export const ATTEMPT_TRANSITIONS: Table = {
  CREATED: ['RUNNING', 'KILLED'],
  RUNNING: ['SUCCESS', 'WARNING', 'FAILED', 'KILLED'],
};

const TABLES = {
  execution: EXECUTION_TRANSITIONS,
  taskRun: TASK_RUN_TRANSITIONS,
  attempt: ATTEMPT_TRANSITIONS,
};

/** Throws `IllegalTransitionError` unless `from → to` is in the entity's table. */
export function assertTransition(entity: keyof typeof TABLES, from: StateType, to: StateType): void {
  if (!(TABLES[entity][from] ?? []).includes(to)) throw new IllegalTransitionError(entity, from, to);
}

/**
 * The guarded move: checks the table, then appends `to` to the history.
 *
 * @example
 * const running = transition('taskRun', initialState('CREATED', now), 'RUNNING', now);
 */
export function transition(entity: keyof typeof TABLES, state: State, to: StateType, now: Date): State {
  assertTransition(entity, state.current, to);
  return appendState(state, to, now);
}
