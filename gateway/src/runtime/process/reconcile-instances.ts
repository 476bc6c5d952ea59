import type { InstanceStatus, ReconcileSummary } from '../runtime-driver.js';
import type { FoundInstance } from './instance-scan.js';
import { terminate } from './pid.js';

export type ReconcileDeps = {
  /** Every live instance process of this driver (recorded or not). */
  found: () => Promise<FoundInstance[]>;
  /** The driver's inspect: adopts an untracked instance of a tenant whose record does not name a live one. */
  inspect: (tenantId: string) => Promise<InstanceStatus>;
  orphanGraceMs: number;
};

/**
 * Brings the instance processes in line with the registry (gateway start,
 * issue 19): an untracked instance of a known tenant is adopted (by
 * `inspect`, which completes its record), any other instance of the same
 * tenant (a twin: the one its record does not name) is stopped, and an
 * instance of a tenant the registry does not know is reported and stopped
 * after `orphanGraceMs` unless the tenant came back meanwhile.
 *
 * @example
 * const summary = await reconcileInstances(() => registry.ids(), deps);
 */
export async function reconcileInstances(
  knownTenants: () => Promise<Iterable<string>> | Iterable<string>,
  deps: ReconcileDeps,
): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { running: [], removed: [], orphans: [] };
  const known = new Set(await knownTenants());
  const found = await deps.found();
  for (const tenantId of new Set(found.map((f) => f.tenantId))) {
    const mine = found.filter((f) => f.tenantId === tenantId);
    if (!known.has(tenantId)) {
      summary.orphans.push(tenantId);
      const timer = setTimeout(async () => {
        try {
          if (new Set(await knownTenants()).has(tenantId)) return;
        } catch {
          return; // the registry does not answer: stop nothing on a guess
        }
        for (const f of mine) void terminate(f.pid, 10_000);
      }, deps.orphanGraceMs);
      timer.unref();
      continue;
    }
    const status = await deps.inspect(tenantId);
    if (status.state === 'running') summary.running.push(tenantId);
    const twins = mine.filter((f) => String(f.pid) !== status.ref);
    if (twins.length > 0) summary.removed.push(tenantId);
    await Promise.all(twins.map((f) => terminate(f.pid, 10_000)));
  }
  return summary;
}
