import { expect, it } from 'vitest';
import { NotFoundError } from '../errors.js';
import { describeRegistryPort, eventually, type MakeRegistry } from './registry-contract-kit.js';

/**
 * The suite every `ApiKeyStore` passes (STYLE.md rule 3): keys stored as
 * prefix + hash only, verified, revoked; a verified (cached) key never
 * outliving its revocation or its tenant, by this registry or another
 * writer; misses never cached; use recorded at most once a minute.
 *
 * @example
 * // gateway/src/tenants/sqlite/sqlite-registry.test.ts
 * apiKeyStoreContract('sqlite', makeSqliteRegistry);
 */
export function apiKeyStoreContract(backend: string, make: MakeRegistry): void {
  describeRegistryPort('ApiKeyStore', backend, make, (t) => {
    it('stores keys as prefix + hash, verifies them and honours revocation', async () => {
      const { tenants, keys } = t.registry();
      await tenants.create({ id: 'acme' });
      const { key, record } = await keys.create('acme', 'ci');
      expect(record).toMatchObject({ tenantId: 'acme', name: 'ci', revokedAt: null, lastUsedAt: null });
      expect(key.startsWith(record.prefix)).toBe(true);
      expect(JSON.stringify(await keys.list('acme'))).not.toContain(key);
      expect(await keys.verify(key)).toEqual({ tenantId: 'acme', keyId: record.id });
      expect(await keys.verify(`${key}x`)).toBeUndefined();
      expect(await keys.verify(`${record.prefix}${'a'.repeat(40)}`)).toBeUndefined();
      expect(await keys.verify('short')).toBeUndefined();
      expect(await keys.revoke('acme', record.id)).toBe(true);
      expect(await keys.verify(key)).toBeUndefined();
      expect(await keys.revoke('acme', record.id)).toBe(false);
      expect((await keys.list('acme'))[0]?.revokedAt).toBe('2030-01-01T00:00:00.000Z');
    });

    it('refuses a key for an unknown tenant, lists oldest first, revokes only within the tenant', async () => {
      const { tenants, keys } = t.registry();
      await expect(async () => keys.create('nobody')).rejects.toThrow(NotFoundError);
      await tenants.create({ id: 'acme' });
      await tenants.create({ id: 'beta' });
      const first = await keys.create('acme');
      t.clock.advance(1_000);
      const second = await keys.create('acme', 'second');
      expect(first.record.name).toBe('default');
      expect((await keys.list('acme')).map((k) => k.id)).toEqual([first.record.id, second.record.id]);
      expect(await keys.list('beta')).toEqual([]);
      expect(await keys.revoke('beta', first.record.id)).toBe(false);
      expect((await keys.verify(first.key))?.tenantId).toBe('acme');
    });

    it('never lets a revoked key pass once it has been verified (and cached)', async () => {
      const { tenants, keys } = t.registry();
      await tenants.create({ id: 'acme' });
      const a = await keys.create('acme', 'a');
      const b = await keys.create('acme', 'b');
      for (let i = 0; i < 3; i++) expect((await keys.verify(a.key))?.keyId).toBe(a.record.id);
      expect((await keys.verify(b.key))?.keyId).toBe(b.record.id);
      expect(await keys.revoke('acme', a.record.id)).toBe(true);
      expect(await keys.verify(a.key)).toBeUndefined();
      expect((await keys.verify(b.key))?.keyId).toBe(b.record.id);
    });

    it('lets a key created after a failed check pass at once (misses are not cached)', async () => {
      const { tenants, keys } = t.registry();
      await tenants.create({ id: 'acme' });
      expect(await keys.verify(`silo_${'a'.repeat(40)}`)).toBeUndefined();
      const { key } = await keys.create('acme');
      expect((await keys.verify(key))?.tenantId).toBe('acme');
    });

    it("refuses a cached key once its tenant is deleted, even when the tenant's id comes back", async () => {
      const { tenants, keys } = t.registry();
      await tenants.create({ id: 'acme' });
      const { key } = await keys.create('acme');
      expect((await keys.verify(key))?.tenantId).toBe('acme');
      expect(await tenants.delete('acme')).toBe(true);
      expect(await keys.verify(key)).toBeUndefined();
      await tenants.create({ id: 'acme' });
      expect(await keys.verify(key)).toBeUndefined();
    });

    it('writes lastUsedAt on first use and at most once a minute after', async () => {
      const { tenants, keys } = t.registry();
      await tenants.create({ id: 'acme' });
      const { key } = await keys.create('acme');
      await keys.verify(key);
      const lastUsed = async () => (await keys.list('acme'))[0]?.lastUsedAt;
      expect(await lastUsed()).toBe('2030-01-01T00:00:00.000Z');
      t.clock.advance(30_000);
      await keys.verify(key);
      expect(await lastUsed()).toBe('2030-01-01T00:00:00.000Z');
      t.clock.advance(31_000);
      await keys.verify(key);
      expect(await lastUsed()).toBe('2030-01-01T00:01:01.000Z');
    });

    it('refuses a cached key revoked by another registry over the same data', async (ctx) => {
      const other = await t.sibling();
      if (other === undefined) return ctx.skip('this backend has no second writer (openSibling)');
      const { tenants, keys } = t.registry();
      await tenants.create({ id: 'acme' });
      const { key, record } = await keys.create('acme');
      expect((await keys.verify(key))?.keyId).toBe(record.id);
      expect(await other.keys.revoke('acme', record.id)).toBe(true);
      expect(await eventually(async () => (await keys.verify(key)) === undefined)).toBe(true);
    });
  });
}
