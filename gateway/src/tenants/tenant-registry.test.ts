import { describe, expect, it } from 'vitest';
import { SqliteTenantRegistry } from './sqlite-tenant-registry.js';

/** The wave-1 method names (kept for lifecycle/) reach the right port. */
describe('TenantRegistryFacade', () => {
  it('keeps tenants, keys and secrets under the wave-1 names', () => {
    const r = new SqliteTenantRegistry(':memory:');
    r.createTenant({ id: 'acme' });
    const { key, record } = r.createKey('acme', 'ci');
    expect(r.verifyKey(key)).toEqual({ tenantId: 'acme', keyId: record.id });
    expect(r.listKeys('acme').map((k) => k.id)).toEqual([record.id]);
    r.setSecret('acme', 'TOKEN', 's3cret');
    expect(r.listSecretNames('acme').map((s) => s.name)).toEqual(['TOKEN']);
    expect(r.secrets('acme')).toEqual({ TOKEN: 's3cret' });
    expect(r.deleteSecret('acme', 'TOKEN')).toBe(true);
    expect(r.setTenantState('acme', 'suspended', 'unpaid').state).toBe('suspended');
    expect(r.getTenant('acme')?.suspendedReason).toBe('unpaid');
    expect(r.revokeKey('acme', record.id)).toBe(true);
    expect(r.deleteTenant('acme')).toBe(true);
    expect(r.listTenants()).toEqual([]);
    r.close();
  });

  it('keeps instance facts and pending wakes: wake fields go to the wake timer, the rest to the facts', () => {
    const r = new SqliteTenantRegistry(':memory:');
    r.createTenant({ id: 'acme' });
    r.updateInstanceInfo('acme', {
      coldStarts: 2,
      nextWakeAt: '2030-01-01T00:00:00.000Z',
      nextWakeReason: 'cron',
    });
    expect(r.instanceInfo('acme')).toMatchObject({ coldStarts: 2, nextWakeReason: 'cron' });
    expect(r.registry.wakeTimers.get('acme')?.at).toBe('2030-01-01T00:00:00.000Z');
    expect(r.pendingWakes()).toEqual([
      { tenantId: 'acme', nextWakeAt: '2030-01-01T00:00:00.000Z', reason: 'cron' },
    ]);
    r.updateInstanceInfo('acme', { lastError: 'boom' });
    expect(r.instanceInfo('acme')).toMatchObject({
      lastError: 'boom',
      nextWakeAt: '2030-01-01T00:00:00.000Z',
    });
    r.updateInstanceInfo('acme', { nextWakeAt: null, nextWakeReason: null });
    expect(r.instanceInfo('acme')).toMatchObject({ coldStarts: 2, nextWakeAt: null, nextWakeReason: null });
    expect(r.pendingWakes()).toEqual([]);
    r.close();
  });
});
