import { describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.js';
import { SqliteTenantRegistry } from './sqlite-tenant-registry.js';

const fresh = () => new SqliteTenantRegistry(':memory:');

describe('SqliteTenantRegistry', () => {
  it('creates, lists, suspends and deletes tenants', () => {
    const r = fresh();
    expect(r.createTenant({ id: 'acme', name: 'Acme' })).toMatchObject({
      id: 'acme',
      name: 'Acme',
      state: 'active',
    });
    expect(() => r.createTenant({ id: 'acme' })).toThrow(ConflictError);
    expect(r.setTenantState('acme', 'suspended', 'unpaid')).toMatchObject({
      state: 'suspended',
      suspendedReason: 'unpaid',
    });
    expect(r.listTenants().map((t) => t.id)).toEqual(['acme']);
    expect(r.deleteTenant('acme')).toBe(true);
    expect(r.getTenant('acme')).toBeUndefined();
  });

  it('stores keys as prefix + hash, verifies them and honours revocation', () => {
    const r = fresh();
    r.createTenant({ id: 'acme' });
    const { key, record } = r.createKey('acme', 'ci');
    expect(key.startsWith(record.prefix)).toBe(true);
    expect(JSON.stringify(r.listKeys('acme'))).not.toContain(key);
    expect(r.verifyKey(key)).toEqual({ tenantId: 'acme', keyId: record.id });
    expect(r.verifyKey(`${key}x`)).toBeUndefined();
    expect(r.verifyKey(`${record.prefix}${'a'.repeat(40)}`)).toBeUndefined();
    expect(r.revokeKey('acme', record.id)).toBe(true);
    expect(r.verifyKey(key)).toBeUndefined();
  });

  it('keeps instance facts and pending wakes', () => {
    const r = fresh();
    r.createTenant({ id: 'acme' });
    r.updateInstanceInfo('acme', {
      coldStarts: 2,
      nextWakeAt: '2030-01-01T00:00:00.000Z',
      nextWakeReason: 'cron',
    });
    expect(r.instanceInfo('acme')).toMatchObject({ coldStarts: 2, nextWakeReason: 'cron' });
    expect(r.pendingWakes()).toEqual([
      { tenantId: 'acme', nextWakeAt: '2030-01-01T00:00:00.000Z', reason: 'cron' },
    ]);
  });

  it('keeps secrets per tenant and lists names only', () => {
    const r = fresh();
    r.createTenant({ id: 'acme' });
    r.setSecret('acme', 'TOKEN', 's3cret');
    expect(r.listSecretNames('acme').map((s) => s.name)).toEqual(['TOKEN']);
    expect(r.secrets('acme')).toEqual({ TOKEN: 's3cret' });
    expect(r.deleteSecret('acme', 'TOKEN')).toBe(true);
  });
});
