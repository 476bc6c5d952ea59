import { expect, it } from 'vitest';
import type { JobClaimStore } from './job-claim-store.js';
import { describeRegistryPort, type MakeRegistry } from './registry-contract-kit.js';

const HOUR = 3_600_000;

/**
 * The suite every `JobClaimStore` passes (STYLE.md rule 3): one run per
 * period whoever asks, a new period for the next claimant, release for a
 * retry, one winner among concurrent claims (also from another gateway), and
 * the claims go with their tenant.
 *
 * @example
 * jobClaimStoreContract('postgres', makePostgresRegistry);
 */
export function jobClaimStoreContract(backend: string, make: MakeRegistry): void {
  describeRegistryPort('JobClaimStore', backend, make, (t) => {
    const jobsOf = (r: ReturnType<typeof t.registry>): JobClaimStore => {
      if (r.jobs === undefined) throw new Error(`${backend}: the registry has no job claims`);
      return r.jobs;
    };

    it('gives each period of a job to one holder, the next period to whoever claims first, and jobs apart', async () => {
      const r = t.registry();
      const jobs = jobsOf(r);
      await r.tenants.create({ id: 'acme' });
      expect(await jobs.claim('acme', 'backup', 'gw-1', HOUR)).toBe(true);
      expect(await jobs.claim('acme', 'backup', 'gw-2', HOUR)).toBe(false);
      expect(await jobs.claim('acme', 'backup', 'gw-1', HOUR)).toBe(false);
      expect(await jobs.claim('acme', 'other', 'gw-2', HOUR)).toBe(true);
      t.clock.advance(HOUR - 1);
      expect(await jobs.claim('acme', 'backup', 'gw-2', HOUR)).toBe(false);
      t.clock.advance(1);
      expect(await jobs.claim('acme', 'backup', 'gw-2', HOUR)).toBe(true);
      expect(await jobs.claim('acme', 'backup', 'gw-1', HOUR)).toBe(false);
      expect(await jobs.claim('nobody', 'backup', 'gw-1', HOUR)).toBe(false);
    });

    it('lets a released claim be taken again at once, and ignores a release by another holder', async () => {
      const r = t.registry();
      const jobs = jobsOf(r);
      await r.tenants.create({ id: 'acme' });
      expect(await jobs.claim('acme', 'backup', 'gw-1', HOUR)).toBe(true);
      await jobs.release('acme', 'backup', 'gw-2');
      expect(await jobs.claim('acme', 'backup', 'gw-2', HOUR)).toBe(false);
      await jobs.release('acme', 'backup', 'gw-1');
      expect(await jobs.claim('acme', 'backup', 'gw-2', HOUR)).toBe(true);
    });

    it('lets exactly one of many concurrent claimants win, across gateways', async () => {
      const r = t.registry();
      const sibling = await t.sibling();
      await r.tenants.create({ id: 'acme' });
      const stores = [jobsOf(r), ...(sibling ? [jobsOf(sibling)] : [])];
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (stores[i % stores.length] as JobClaimStore).claim('acme', 'backup', `gw-${i}`, HOUR),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("goes with its tenant: a deleted and re-created tenant's job is free", async () => {
      const r = t.registry();
      const jobs = jobsOf(r);
      await r.tenants.create({ id: 'acme' });
      expect(await jobs.claim('acme', 'backup', 'gw-1', HOUR)).toBe(true);
      await r.tenants.delete('acme');
      await r.tenants.create({ id: 'acme' });
      expect(await jobs.claim('acme', 'backup', 'gw-2', HOUR)).toBe(true);
    });
  });
}
