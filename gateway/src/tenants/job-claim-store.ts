/**
 * Periodic per-tenant jobs that the gateways of a fleet share (port;
 * `PostgresJobClaimStore` implements it, the contract is
 * `job-claim-store.contract.ts`). Each period's run of a job is taken by
 * exactly one gateway: the scheduled backups use it, so a fleet of N gateways
 * takes one backup per interval, not N. Absent on the embedded SQLite
 * registry, which has one gateway. Time is the registry's clock.
 *
 * @example
 * if (await jobs.claim('acme', 'backup', 'gw-1', 86_400_000)) {
 *   try { await backUp('acme'); } catch (err) { await jobs.release('acme', 'backup', 'gw-1'); throw err; }
 * }
 */
export interface JobClaimStore {
  /**
   * True when `holder` takes the tenant's `job` now: no gateway took it
   * within the last `periodMs`. Concurrent claims: exactly one is true.
   * False for an unknown tenant.
   */
  claim(tenantId: string, job: string, holder: string, periodMs: number): Promise<boolean>;
  /**
   * Gives `holder`'s claim back (its run failed), so the next claim of any
   * gateway succeeds; a no-op when another holder has it.
   */
  release(tenantId: string, job: string, holder: string): Promise<void>;
}
