/** A tenant's wake timer: when its instance asked to be started again, and why. */
export type WakeTimer = {
  tenantId: string;
  /** ISO-8601. */
  at: string;
  /** From the instance's lifecycle report (e.g. the trigger that is due); null when it gave none. */
  reason: string | null;
};

/**
 * One wake timer per tenant, kept across gateway restarts (port;
 * `SqliteWakeTimerStore` implements it, the contract is
 * `wake-timer-store.contract.ts`). The gateway's `WakeScheduler` arms one
 * process timer for the earliest pending wake.
 *
 * @example
 * await wakeTimers.set('acme', '2030-01-01T00:00:00.000Z', 'schedule:nightly');
 * (await wakeTimers.pending())[0]; // { tenantId: 'acme', at: '2030-…', reason: 'schedule:nightly' }
 */
export interface WakeTimerStore {
  /** Sets (or replaces) the tenant's timer; ignored for an unknown tenant. */
  set(tenantId: string, at: string, reason: string | null): Promise<void>;
  /** Removes the tenant's timer; false when none was set. */
  clear(tenantId: string): Promise<boolean>;
  /**
   * Removes the tenant's timer only if it is still the one due `at`: true for
   * exactly one caller, however many gateways fire the same timer (the claim
   * that makes a wake fire once across the fleet).
   */
  take(tenantId: string, at: string): Promise<boolean>;
  get(tenantId: string): Promise<WakeTimer | undefined>;
  /** The timers of active tenants (a suspended tenant is not woken), earliest first. */
  pending(): Promise<WakeTimer[]>;
  /**
   * Calls `onChange` when any writer (another gateway) sets, takes or clears
   * a timer; returns the unsubscribe. Absent where this gateway is the only
   * writer (SQLite).
   */
  watch?(onChange: () => void): () => void;
}
