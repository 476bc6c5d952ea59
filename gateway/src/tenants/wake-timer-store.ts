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
 * wakeTimers.set('acme', '2030-01-01T00:00:00.000Z', 'schedule:nightly');
 * wakeTimers.pending()[0]; // { tenantId: 'acme', at: '2030-…', reason: 'schedule:nightly' }
 */
export interface WakeTimerStore {
  /** Sets (or replaces) the tenant's timer; ignored for an unknown tenant. */
  set(tenantId: string, at: string, reason: string | null): void;
  /** Removes the tenant's timer; false when none was set. */
  clear(tenantId: string): boolean;
  get(tenantId: string): WakeTimer | undefined;
  /** The timers of active tenants (a suspended tenant is not woken), earliest first. */
  pending(): WakeTimer[];
}
