import { expect, it } from 'vitest';
import type { InstanceLeaseStore, InstanceRun } from './instance-lease-store.js';
import { describeRegistryPort, type MakeRegistry } from './registry-contract-kit.js';

const RUN: InstanceRun = {
  endpoint: { url: 'http://127.0.0.1:41234', host: '127.0.0.1', port: 41234 },
  instanceToken: 'tok',
  ref: '4242',
};

/**
 * The suite every `InstanceLeaseStore` passes (STYLE.md rule 3): one holder
 * at a time, renewal, expiry and takeover with a new fence, publish and
 * release guarded by the fence, one winner among concurrent claims.
 *
 * @example
 * instanceLeaseStoreContract('postgres', makePostgresRegistry);
 */
export function instanceLeaseStoreContract(backend: string, make: MakeRegistry): void {
  describeRegistryPort('InstanceLeaseStore', backend, make, (t) => {
    const leasesOf = (r: ReturnType<typeof t.registry>): InstanceLeaseStore => {
      if (r.leases === undefined) throw new Error(`${backend}: the registry has no leases`);
      return r.leases;
    };

    it('gives a lease to one holder at a time, renews it for that holder, and refuses an unknown tenant', async () => {
      const r = t.registry();
      const leases = leasesOf(r);
      await r.tenants.create({ id: 'acme' });
      const first = await leases.claim('acme', 'gw-1', 10_000);
      expect(first).toMatchObject({ mine: true, takenOver: false, lease: { holder: 'gw-1', run: null } });
      const other = await leases.claim('acme', 'gw-2', 10_000);
      expect(other).toMatchObject({ mine: false, lease: { holder: 'gw-1', fence: first?.lease.fence } });
      t.clock.advance(5_000);
      const again = await leases.claim('acme', 'gw-1', 10_000);
      expect(again?.lease).toMatchObject({
        fence: first?.lease.fence,
        expiresAt: '2030-01-01T00:00:15.000Z',
      });
      expect(await leases.claim('nobody', 'gw-1', 10_000)).toBeUndefined();
    });

    it('publishes a run under the fence, hands an expired lease over with a new fence, and fences the old holder out', async () => {
      const r = t.registry();
      const leases = leasesOf(r);
      await r.tenants.create({ id: 'acme' });
      const first = (await leases.claim('acme', 'gw-1', 10_000))?.lease.fence ?? -1;
      expect(await leases.publish('acme', 'gw-1', first, RUN)).toBe(true);
      expect((await leases.get('acme'))?.run).toEqual(RUN);
      t.clock.advance(10_001);
      const taken = await leases.claim('acme', 'gw-2', 10_000);
      expect(taken).toMatchObject({
        mine: true,
        takenOver: true,
        lease: { holder: 'gw-2', fence: first + 1, run: RUN },
      });
      expect(await leases.publish('acme', 'gw-1', first, null)).toBe(false);
      expect(await leases.release('acme', 'gw-1', first)).toBe(false);
      expect(await leases.renew('gw-1', 10_000, [])).toEqual([]);
      expect(await leases.release('acme', 'gw-2', first + 1)).toBe(true);
      expect(await leases.get('acme')).toBeUndefined();
    });

    it('renews every lease of a holder and records traffic on the runs', async () => {
      const r = t.registry();
      const leases = leasesOf(r);
      for (const id of ['acme', 'beta']) await r.tenants.create({ id });
      await leases.claim('acme', 'gw-1', 1_000);
      await leases.claim('beta', 'gw-2', 1_000);
      t.clock.advance(900);
      expect(await leases.renew('gw-1', 1_000, ['beta'])).toEqual(['acme']);
      t.clock.advance(900);
      expect((await leases.claim('acme', 'gw-2', 1_000))?.mine).toBe(false);
      expect((await leases.get('beta'))?.activeAt).toBe('2030-01-01T00:00:00.900Z');
      expect((await leases.claim('beta', 'gw-1', 1_000))?.takenOver).toBe(true);
    });

    it('lets exactly one of many concurrent claimants win, also across registries over the same data', async () => {
      const r = t.registry();
      await r.tenants.create({ id: 'acme' });
      const other = (await t.sibling()) ?? r;
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, i) => leasesOf(i % 2 ? other : r).claim('acme', `gw-${i}`, 10_000)),
      );
      expect(claims.filter((c) => c?.mine)).toHaveLength(1);
      const winner = claims.find((c) => c?.mine)?.lease.holder;
      expect(claims.every((c) => c?.lease.holder === winner)).toBe(true);
    });
  });
}
