import { expect, it } from 'vitest';
import { describeRegistryPort, type MakeRegistry } from './registry-contract-kit.js';

/**
 * The suite every `WakeTimerStore` passes (STYLE.md rule 3): one timer per
 * tenant, set, replaced, cleared and taken
 * once; pending timers earliest first and only
 * for active tenants; unknown tenants ignored.
 *
 * @example
 * // gateway/src/tenants/sqlite/sqlite-registry.test.ts
 * wakeTimerStoreContract('sqlite', makeSqliteRegistry);
 */
export function wakeTimerStoreContract(backend: string, make: MakeRegistry): void {
  describeRegistryPort('WakeTimerStore', backend, make, (t) => {
    it('keeps one timer per tenant and lists pending ones earliest first', async () => {
      const { tenants, wakeTimers } = t.registry();
      for (const id of ['acme', 'beta', 'gamma']) await tenants.create({ id });
      expect(await wakeTimers.pending()).toEqual([]);
      await wakeTimers.set('acme', '2030-01-01T00:10:00.000Z', 'cron');
      await wakeTimers.set('beta', '2030-01-01T00:05:00.000Z', null);
      expect(await wakeTimers.get('acme')).toEqual({
        tenantId: 'acme',
        at: '2030-01-01T00:10:00.000Z',
        reason: 'cron',
      });
      expect(await wakeTimers.get('gamma')).toBeUndefined();
      expect(await wakeTimers.pending()).toEqual([
        { tenantId: 'beta', at: '2030-01-01T00:05:00.000Z', reason: null },
        { tenantId: 'acme', at: '2030-01-01T00:10:00.000Z', reason: 'cron' },
      ]);
      await wakeTimers.set('acme', '2030-01-01T00:01:00.000Z', 'sleep');
      expect((await wakeTimers.pending()).map((w) => [w.tenantId, w.reason])).toEqual([
        ['acme', 'sleep'],
        ['beta', null],
      ]);
    });

    it('clears a timer, once', async () => {
      const { tenants, wakeTimers } = t.registry();
      await tenants.create({ id: 'acme' });
      expect(await wakeTimers.clear('acme')).toBe(false);
      await wakeTimers.set('acme', '2030-01-01T00:10:00.000Z', 'cron');
      expect(await wakeTimers.clear('acme')).toBe(true);
      expect(await wakeTimers.clear('acme')).toBe(false);
      expect(await wakeTimers.get('acme')).toBeUndefined();
      expect(await wakeTimers.pending()).toEqual([]);
    });

    it('hands a due timer to exactly one taker, also across registries over the same data', async () => {
      const { tenants, wakeTimers } = t.registry();
      await tenants.create({ id: 'acme' });
      const at = '2030-01-01T00:10:00.000Z';
      await wakeTimers.set('acme', at, 'sleep');
      const other = await t.sibling();
      const takers = [wakeTimers, other?.wakeTimers ?? wakeTimers, wakeTimers];
      const taken = await Promise.all(takers.map((w) => w.take('acme', at)));
      expect(taken.filter(Boolean)).toHaveLength(1);
      expect(await wakeTimers.get('acme')).toBeUndefined();
      await wakeTimers.set('acme', '2030-01-01T00:20:00.000Z', 'sleep');
      expect(await wakeTimers.take('acme', at)).toBe(false);
      expect((await wakeTimers.get('acme'))?.at).toBe('2030-01-01T00:20:00.000Z');
    });

    it('keeps the timer of a suspended tenant but does not list it as pending until resumed', async () => {
      const { tenants, wakeTimers } = t.registry();
      await tenants.create({ id: 'acme' });
      await wakeTimers.set('acme', '2030-01-01T00:10:00.000Z', 'cron');
      await tenants.setState('acme', 'suspended', 'unpaid');
      expect(await wakeTimers.pending()).toEqual([]);
      expect((await wakeTimers.get('acme'))?.reason).toBe('cron');
      await tenants.setState('acme', 'active');
      expect((await wakeTimers.pending()).map((w) => w.tenantId)).toEqual(['acme']);
    });

    it('ignores a timer for an unknown tenant', async () => {
      const { wakeTimers } = t.registry();
      await wakeTimers.set('nobody', '2030-01-01T00:10:00.000Z', 'cron');
      expect(await wakeTimers.get('nobody')).toBeUndefined();
      expect(await wakeTimers.pending()).toEqual([]);
    });
  });
}
