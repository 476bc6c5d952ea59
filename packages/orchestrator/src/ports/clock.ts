/**
 * The one source of "now" in the orchestrator (STYLE.md rule 5: time is
 * injected). Tests pass a manual clock; production passes `systemClock`.
 *
 * @example
 * const t = { at: new Date('2025-01-01T00:00:00Z') };
 * const manual: Clock = { now: () => t.at };
 */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
