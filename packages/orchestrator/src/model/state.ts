import type { StateJson, StateType } from '@silo/contracts';

/** One entry of a state history: the state entered and when (ISO-8601). */
export type StateHistory = { state: StateType; date: string };

/**
 * Kestra's `State`: the current state plus the full history, oldest first.
 * `startDate`, `endDate` and `duration` are derived when serialised
 * (see `stateJson`), so they can never disagree with the history.
 */
export type State = { current: StateType; histories: StateHistory[] };

/** A new state history that starts in `state` at `now`. */
export function initialState(state: StateType, now: Date): State {
  return { current: state, histories: [{ state, date: now.toISOString() }] };
}

/** The state after a move to `to` (no check; see `transitions.ts` for the guarded move). */
export function appendState(state: State, to: StateType, now: Date): State {
  return { current: to, histories: [...state.histories, { state: to, date: now.toISOString() }] };
}

/** The start date: the first history entry. */
export function stateStartDate(state: State): string {
  return state.histories[0]?.date ?? new Date(0).toISOString();
}

/**
 * Kestra's wire form of a state: `current`, `histories`, `startDate`,
 * `endDate` (terminal only) and `duration` (ISO-8601, e.g. `PT1.234S`).
 */
export function stateJson(state: State, terminal: boolean, now: Date): StateJson {
  const start = stateStartDate(state);
  const last = state.histories[state.histories.length - 1]?.date ?? start;
  const end = terminal ? last : undefined;
  const ms = Date.parse(end ?? now.toISOString()) - Date.parse(start);
  return {
    current: state.current,
    histories: state.histories,
    startDate: start,
    ...(end !== undefined ? { endDate: end } : {}),
    duration: isoDuration(ms),
  };
}

/** Milliseconds → `PT1.234S` (Java `Duration.toString()` style). */
export function isoDuration(ms: number): string {
  const total = Math.max(0, ms) / 1000;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = Math.round((total % 60) * 1000) / 1000;
  let out = 'PT';
  if (h > 0) out += `${h}H`;
  if (m > 0) out += `${m}M`;
  if (s > 0 || out === 'PT') out += `${s}S`;
  return out;
}
