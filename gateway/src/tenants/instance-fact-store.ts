/** What the gateway remembers of a tenant's instance across its own restarts. */
export type InstanceFacts = {
  tenantId: string;
  coldStarts: number;
  /** ISO-8601. */
  startedAt: string | null;
  /** ISO-8601. */
  lastActivityAt: string | null;
  lastError: string | null;
  /** Duration of the last successful cold start, for `Retry-After`. */
  lastStartMs: number | null;
};

/** The fields of `InstanceFacts` that can be written. */
export type InstanceFactsPatch = Partial<Omit<InstanceFacts, 'tenantId'>>;

/**
 * Facts about each tenant's instance (port; `SqliteInstanceFactStore`
 * implements it, the contract is `instance-fact-store.contract.ts`). Wake
 * times are not facts but timers: `WakeTimerStore`.
 *
 * @example
 * await instances.update('acme', { coldStarts: 1, lastStartMs: 840 });
 * (await instances.get('acme')).lastStartMs; // 840
 */
export interface InstanceFactStore {
  /** The tenant's facts; zeros and nulls when none were written (or the tenant is unknown). */
  get(tenantId: string): Promise<InstanceFacts>;
  /** Writes the given fields, leaves the others; ignored for an unknown tenant. */
  update(tenantId: string, patch: InstanceFactsPatch): Promise<void>;
}

/** Column of each writable fact in the `instances` table (the same in the SQLite and PostgreSQL registries). */
export const INSTANCE_FACT_COLUMNS: Record<keyof InstanceFactsPatch, string> = {
  coldStarts: 'cold_starts',
  startedAt: 'started_at',
  lastActivityAt: 'last_activity_at',
  lastError: 'last_error',
  lastStartMs: 'last_start_ms',
};
