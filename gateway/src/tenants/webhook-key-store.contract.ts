import { expect, it } from 'vitest';
import { describeRegistryPort, type MakeRegistry } from './registry-contract-kit.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

/**
 * The suite every `WebhookKeyStore` passes: "never reported" differs from
 * "reported none", a report replaces the last one, tenants are apart, an
 * unknown tenant is ignored and a deleted tenant's hashes go with it.
 *
 * @example
 * webhookKeyStoreContract('sqlite', makeSqliteRegistry);
 */
export function webhookKeyStoreContract(backend: string, make: MakeRegistry): void {
  describeRegistryPort('WebhookKeyStore', backend, make, (t) => {
    it('tells never reported, reported without it, and known apart; a report replaces the last', async () => {
      const { tenants, webhookKeys } = t.registry();
      await tenants.create({ id: 'acme' });
      expect(await webhookKeys.lookup('acme', A)).toBe('unreported');
      await webhookKeys.replace('acme', []);
      expect(await webhookKeys.lookup('acme', A)).toBe('unknown');
      await webhookKeys.replace('acme', [A, A]);
      expect(await webhookKeys.lookup('acme', A)).toBe('known');
      await webhookKeys.replace('acme', [B]);
      expect(await webhookKeys.lookup('acme', A)).toBe('unknown');
      expect(await webhookKeys.lookup('acme', B)).toBe('known');
    });

    it('keeps tenants apart, ignores unknown tenants, forgets a deleted one', async () => {
      const { tenants, webhookKeys } = t.registry();
      await tenants.create({ id: 'acme' });
      await tenants.create({ id: 'bravo' });
      await webhookKeys.replace('acme', [A]);
      await webhookKeys.replace('nobody', [A]);
      expect(await webhookKeys.lookup('bravo', A)).toBe('unreported');
      expect(await webhookKeys.lookup('nobody', A)).toBe('unreported');
      await tenants.delete('acme');
      await tenants.create({ id: 'acme' });
      expect(await webhookKeys.lookup('acme', A)).toBe('unreported');
    });
  });
}
