/** Identifies one trigger of one flow. */
export type TriggerKey = { namespace: string; flowId: string; triggerId: string };

/** What the scheduler remembers about a trigger between ticks and restarts. Dates are ISO-8601 UTC. */
export type TriggerState = TriggerKey & {
  /** Of the schedule the dates were computed from (`Schedule.fingerprint`). */
  fingerprint: string;
  /** The last fire that started an execution. */
  lastFireAt: string | null;
  /** The next fire to evaluate; fires between `lastFireAt` and now are "missed" after a stop. */
  nextFireAt: string | null;
  /** Disabled by `stopAfter` or by hand; a disabled trigger does not fire. */
  disabled: boolean;
  updatedAt: string;
};

/** The outcome of recording a fire: the execution it started, and whether this call created it. */
export type FireRecord = { executionId: string; created: boolean };

/**
 * The scheduler's persistent memory (port owned by the scheduler).
 *
 * @example
 * const { created } = repo.recordFire(key, '2025-01-01T00:00:00.000Z', () => engine.create(...), now);
 */
export type TriggerStateRepository = {
  get(key: TriggerKey): TriggerState | undefined;
  save(state: TriggerState): void;
  list(): TriggerState[];
  /**
   * Records the fire `(key, fireAt)` exactly once: if it is already recorded,
   * returns its execution with `created: false` and does not call `create`;
   * otherwise calls `create` (synchronously, inside the same transaction, so
   * an execution written to the same database commits or rolls back with
   * the record) and stores the id it returns.
   */
  recordFire(key: TriggerKey, fireAt: string, create: () => string, now: string): FireRecord;
  /** The execution started by a recorded fire, if any. */
  findFire(key: TriggerKey, fireAt: string): string | undefined;
};
