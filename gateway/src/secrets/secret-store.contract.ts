import { expect, it } from 'vitest';
import { NotFoundError } from '../errors.js';
import { describeRegistryPort, type MakeRegistry } from '../tenants/registry-contract-kit.js';

/**
 * The suite every `SecretStore` passes (STYLE.md rule 3): secrets kept per
 * tenant, replaced, deleted, listed by name without values, handed out in
 * clear text. Encryption at rest is the adapter's own test (it reads the raw
 * store: `secret-cipher.test.ts`).
 *
 * @example
 * // gateway/src/tenants/sqlite/sqlite-registry.test.ts
 * secretStoreContract('sqlite', makeSqliteRegistry);
 */
export function secretStoreContract(backend: string, make: MakeRegistry): void {
  describeRegistryPort('SecretStore', backend, make, (t) => {
    it('keeps secrets per tenant and lists names only', async () => {
      const { tenants, secrets } = t.registry();
      await tenants.create({ id: 'acme' });
      await secrets.set('acme', 'TOKEN', 's3cret');
      expect(await secrets.list('acme')).toEqual([{ name: 'TOKEN', updatedAt: '2030-01-01T00:00:00.000Z' }]);
      expect(JSON.stringify(await secrets.list('acme'))).not.toContain('s3cret');
      expect(await secrets.values('acme')).toEqual({ TOKEN: 's3cret' });
      expect(await secrets.delete('acme', 'TOKEN')).toBe(true);
      expect(await secrets.delete('acme', 'TOKEN')).toBe(false);
      expect(await secrets.values('acme')).toEqual({});
    });

    it('replaces a value, lists by name and keeps tenants apart', async () => {
      const { tenants, secrets } = t.registry();
      await tenants.create({ id: 'acme' });
      await tenants.create({ id: 'beta' });
      await secrets.set('acme', 'ZED', 'z');
      await secrets.set('acme', 'ALPHA', 'one');
      await secrets.set('beta', 'ALPHA', 'beta-only');
      t.clock.advance(5_000);
      await secrets.set('acme', 'ALPHA', 'two');
      expect(await secrets.list('acme')).toEqual([
        { name: 'ALPHA', updatedAt: '2030-01-01T00:00:05.000Z' },
        { name: 'ZED', updatedAt: '2030-01-01T00:00:00.000Z' },
      ]);
      expect(await secrets.values('acme')).toEqual({ ALPHA: 'two', ZED: 'z' });
      expect(await secrets.values('beta')).toEqual({ ALPHA: 'beta-only' });
      expect(await secrets.delete('beta', 'ZED')).toBe(false);
    });

    it('refuses a secret for an unknown tenant', async () => {
      const { secrets } = t.registry();
      await expect(async () => secrets.set('nobody', 'TOKEN', 'x')).rejects.toThrow(NotFoundError);
      expect(await secrets.list('nobody')).toEqual([]);
      expect(await secrets.values('nobody')).toEqual({});
    });
  });
}
