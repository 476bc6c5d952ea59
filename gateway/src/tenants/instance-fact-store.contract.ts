import { expect, it } from 'vitest';
import { describeRegistryPort, type MakeRegistry } from './registry-contract-kit.js';

/**
 * The suite every `InstanceFactStore` passes (STYLE.md rule 3): empty facts
 * by default, partial updates that leave the other fields, unknown tenants
 * ignored, facts and wake timers independent.
 *
 * @example
 * // gateway/src/tenants/sqlite/sqlite-registry.test.ts
 * instanceFactStoreContract('sqlite', makeSqliteRegistry);
 */
export function instanceFactStoreContract(backend: string, make: MakeRegistry): void {
  describeRegistryPort('InstanceFactStore', backend, make, (t) => {
    const empty = {
      coldStarts: 0,
      startedAt: null,
      lastActivityAt: null,
      lastError: null,
      lastStartMs: null,
    };

    it('keeps instance facts, each update writing only the fields it names', async () => {
      const { tenants, instances } = t.registry();
      await tenants.create({ id: 'acme' });
      expect(await instances.get('acme')).toEqual({ tenantId: 'acme', ...empty });
      await instances.update('acme', {
        coldStarts: 2,
        startedAt: '2030-01-01T00:00:00.000Z',
        lastStartMs: 840,
        lastError: 'boom',
      });
      await instances.update('acme', { lastError: null, lastActivityAt: '2030-01-01T00:05:00.000Z' });
      expect(await instances.get('acme')).toEqual({
        tenantId: 'acme',
        coldStarts: 2,
        startedAt: '2030-01-01T00:00:00.000Z',
        lastActivityAt: '2030-01-01T00:05:00.000Z',
        lastError: null,
        lastStartMs: 840,
      });
      await instances.update('acme', {});
      expect((await instances.get('acme')).coldStarts).toBe(2);
    });

    it('ignores an update of an unknown tenant and keeps tenants apart', async () => {
      const { tenants, instances } = t.registry();
      await tenants.create({ id: 'acme' });
      await instances.update('nobody', { coldStarts: 5 });
      expect(await instances.get('nobody')).toEqual({ tenantId: 'nobody', ...empty });
      await instances.update('acme', { coldStarts: 1 });
      await tenants.create({ id: 'beta' });
      expect((await instances.get('beta')).coldStarts).toBe(0);
    });

    it('leaves the wake timer alone, and the wake timer leaves the facts alone', async () => {
      const { tenants, instances, wakeTimers } = t.registry();
      await tenants.create({ id: 'acme' });
      await wakeTimers.set('acme', '2030-01-02T00:00:00.000Z', 'cron');
      await instances.update('acme', { coldStarts: 1, lastError: null });
      expect((await wakeTimers.get('acme'))?.at).toBe('2030-01-02T00:00:00.000Z');
      await wakeTimers.clear('acme');
      await wakeTimers.set('acme', '2030-01-03T00:00:00.000Z', null);
      expect((await instances.get('acme')).coldStarts).toBe(1);
    });
  });
}
