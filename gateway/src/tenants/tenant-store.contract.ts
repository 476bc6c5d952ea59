import { expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../errors.js';
import { describeRegistryPort, eventually, type MakeRegistry } from './registry-contract-kit.js';

/**
 * The suite every `TenantStore` passes (STYLE.md rule 3): create, list,
 * suspend, resume, delete (which takes the tenant's keys, secrets, facts and
 * wake timer with it), a cached tenant never outliving a change, and a
 * change by another writer seen.
 *
 * @example
 * // gateway/src/tenants/sqlite/sqlite-registry.test.ts
 * tenantStoreContract('sqlite', makeSqliteRegistry);
 */
export function tenantStoreContract(backend: string, make: MakeRegistry): void {
  describeRegistryPort('TenantStore', backend, make, (t) => {
    it('creates, lists, suspends and deletes tenants', async () => {
      const { tenants } = t.registry();
      expect(await tenants.create({ id: 'acme', name: 'Acme' })).toMatchObject({
        id: 'acme',
        name: 'Acme',
        state: 'active',
        suspendedReason: null,
        createdAt: '2030-01-01T00:00:00.000Z',
      });
      await expect(async () => tenants.create({ id: 'acme' })).rejects.toThrow(ConflictError);
      t.clock.advance(1_000);
      expect(await tenants.setState('acme', 'suspended', 'unpaid')).toMatchObject({
        state: 'suspended',
        suspendedReason: 'unpaid',
        updatedAt: '2030-01-01T00:00:01.000Z',
      });
      expect((await tenants.list()).map((x) => x.id)).toEqual(['acme']);
      expect(await tenants.delete('acme')).toBe(true);
      expect(await tenants.get('acme')).toBeUndefined();
      expect(await tenants.delete('acme')).toBe(false);
    });

    it('defaults the name to the id, keeps limits and lists by id', async () => {
      const { tenants } = t.registry();
      await tenants.create({ id: 'zeta' });
      await tenants.create({ id: 'beta', limits: { memoryMb: 256, cpus: 0.5 } });
      expect(await tenants.get('zeta')).toMatchObject({ name: 'zeta', limits: {} });
      expect((await tenants.get('beta'))?.limits).toEqual({ memoryMb: 256, cpus: 0.5 });
      expect((await tenants.list()).map((x) => x.id)).toEqual(['beta', 'zeta']);
    });

    it('gives new tenants the 2.0 dialect unless told, and switches it; refuses an unknown tenant', async () => {
      const { tenants } = t.registry();
      expect(await tenants.create({ id: 'fresh' })).toMatchObject({ kestraVersion: '2.0' });
      expect(await tenants.create({ id: 'legacy', kestraVersion: '1.3' })).toMatchObject({
        kestraVersion: '1.3',
      });
      expect((await tenants.get('legacy'))?.kestraVersion).toBe('1.3');
      t.clock.advance(1_000);
      expect(await tenants.setKestraVersion('legacy', '2.0')).toMatchObject({
        kestraVersion: '2.0',
        updatedAt: '2030-01-01T00:00:01.000Z',
      });
      expect((await tenants.get('legacy'))?.kestraVersion).toBe('2.0');
      expect((await tenants.list()).map((x) => x.kestraVersion)).toEqual(['2.0', '2.0']);
      await expect(async () => tenants.setKestraVersion('nobody', '1.3')).rejects.toThrow(NotFoundError);
    });

    it('pins a version at creation or later, seen at once by a cached tenant; refuses an unknown tenant', async () => {
      const { tenants } = t.registry();
      expect(await tenants.create({ id: 'acme' })).toMatchObject({ version: null });
      expect(await tenants.create({ id: 'beta', version: '0.1.0' })).toMatchObject({ version: '0.1.0' });
      expect((await tenants.get('acme'))?.version).toBeNull();
      t.clock.advance(1_000);
      expect(await tenants.setVersion('acme', '0.2.0')).toMatchObject({
        version: '0.2.0',
        updatedAt: '2030-01-01T00:00:01.000Z',
      });
      expect((await tenants.get('acme'))?.version).toBe('0.2.0');
      expect((await tenants.list()).map((x) => x.version)).toEqual(['0.2.0', '0.1.0']);
      await expect(async () => tenants.setVersion('nobody', '0.2.0')).rejects.toThrow(NotFoundError);
    });

    it('replaces limits, seen at once by a cached tenant; refuses an unknown tenant', async () => {
      const { tenants } = t.registry();
      await tenants.create({ id: 'acme', limits: { memoryMb: 256, requestsPerSecond: 5 } });
      expect((await tenants.get('acme'))?.limits).toEqual({ memoryMb: 256, requestsPerSecond: 5 });
      t.clock.advance(1_000);
      const updated = await tenants.setLimits('acme', { requestsPerSecond: 10, maxConcurrentExecutions: 2 });
      expect(updated).toMatchObject({ updatedAt: '2030-01-01T00:00:01.000Z' });
      expect((await tenants.get('acme'))?.limits).toEqual({
        requestsPerSecond: 10,
        maxConcurrentExecutions: 2,
      });
      await expect(async () => tenants.setLimits('nobody', {})).rejects.toThrow(NotFoundError);
    });

    it('refuses a state change of an unknown tenant and clears the reason on resume', async () => {
      const { tenants } = t.registry();
      await expect(async () => tenants.setState('nobody', 'suspended')).rejects.toThrow(NotFoundError);
      await tenants.create({ id: 'acme' });
      await tenants.setState('acme', 'suspended', 'unpaid');
      expect(await tenants.setState('acme', 'active', 'ignored')).toMatchObject({
        state: 'active',
        suspendedReason: null,
      });
    });

    it('shows a suspension, a resume and a deletion at once to a cached tenant', async () => {
      const { tenants } = t.registry();
      await tenants.create({ id: 'acme' });
      expect((await tenants.get('acme'))?.state).toBe('active');
      await tenants.setState('acme', 'suspended', 'unpaid');
      expect(await tenants.get('acme')).toMatchObject({ state: 'suspended', suspendedReason: 'unpaid' });
      await tenants.setState('acme', 'active');
      expect((await tenants.get('acme'))?.state).toBe('active');
      expect(await tenants.delete('acme')).toBe(true);
      expect(await tenants.get('acme')).toBeUndefined();
    });

    it("deletes a tenant's keys, secrets, instance facts and wake timer with it", async () => {
      const r = t.registry();
      await r.tenants.create({ id: 'acme' });
      const { key } = await r.keys.create('acme');
      await r.secrets.set('acme', 'TOKEN', 'x');
      await r.instances.update('acme', { coldStarts: 3 });
      await r.wakeTimers.set('acme', '2030-01-02T00:00:00.000Z', 'cron');
      await r.tenants.delete('acme');
      await r.tenants.create({ id: 'acme' });
      expect(await r.keys.list('acme')).toEqual([]);
      expect(await r.keys.verify(key)).toBeUndefined();
      expect(await r.secrets.values('acme')).toEqual({});
      expect((await r.instances.get('acme')).coldStarts).toBe(0);
      expect(await r.wakeTimers.get('acme')).toBeUndefined();
    });

    it('sees a suspension and a deletion written by another registry over the same data', async (ctx) => {
      const other = await t.sibling();
      if (other === undefined) return ctx.skip('this backend has no second writer (openSibling)');
      const { tenants } = t.registry();
      await tenants.create({ id: 'acme' });
      await tenants.create({ id: 'beta' });
      expect((await tenants.get('acme'))?.state).toBe('active');
      expect((await tenants.get('beta'))?.state).toBe('active');
      await other.tenants.setState('acme', 'suspended', 'by another process');
      expect(await eventually(async () => (await tenants.get('acme'))?.state === 'suspended')).toBe(true);
      await other.tenants.delete('beta');
      expect(await eventually(async () => (await tenants.get('beta')) === undefined)).toBe(true);
    });
  });
}
