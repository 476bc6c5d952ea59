import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.js';
import { LruCache } from './auth-cache.js';
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

  describe('auth cache', () => {
    it('never lets a revoked key pass once it has been verified (and cached)', () => {
      const r = fresh();
      r.createTenant({ id: 'acme' });
      const a = r.createKey('acme', 'a');
      const b = r.createKey('acme', 'b');
      for (let i = 0; i < 3; i++) expect(r.verifyKey(a.key)?.keyId).toBe(a.record.id);
      expect(r.verifyKey(b.key)?.keyId).toBe(b.record.id);
      expect(r.revokeKey('acme', a.record.id)).toBe(true);
      expect(r.verifyKey(a.key)).toBeUndefined();
      expect(r.verifyKey(b.key)?.keyId).toBe(b.record.id);
    });

    it('lets a key created after a failed check pass at once (misses are not cached)', () => {
      const r = fresh();
      r.createTenant({ id: 'acme' });
      expect(r.verifyKey(`silo_${'a'.repeat(40)}`)).toBeUndefined();
      const { key } = r.createKey('acme');
      expect(r.verifyKey(key)?.tenantId).toBe('acme');
    });

    it('shows a suspension, a resume and a deletion at once to a cached tenant and its keys', () => {
      const r = fresh();
      r.createTenant({ id: 'acme' });
      const { key } = r.createKey('acme');
      expect(r.verifyKey(key)?.tenantId).toBe('acme');
      expect(r.getTenant('acme')?.state).toBe('active');
      r.setTenantState('acme', 'suspended', 'unpaid');
      expect(r.getTenant('acme')).toMatchObject({ state: 'suspended', suspendedReason: 'unpaid' });
      r.setTenantState('acme', 'active');
      expect(r.getTenant('acme')?.state).toBe('active');
      expect(r.deleteTenant('acme')).toBe(true);
      expect(r.getTenant('acme')).toBeUndefined();
      expect(r.verifyKey(key)).toBeUndefined();
      r.createTenant({ id: 'acme' });
      expect(r.verifyKey(key)).toBeUndefined();
    });

    it('drops its caches when another connection writes to the file (revoke, suspend)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'silo-registry-'));
      try {
        const path = join(dir, 'registry.db');
        const gateway = new SqliteTenantRegistry(path);
        const other = new SqliteTenantRegistry(path);
        gateway.createTenant({ id: 'acme' });
        const { key, record } = gateway.createKey('acme');
        expect(gateway.verifyKey(key)?.keyId).toBe(record.id);
        expect(gateway.getTenant('acme')?.state).toBe('active');
        other.setTenantState('acme', 'suspended', 'by another process');
        expect(gateway.getTenant('acme')?.state).toBe('suspended');
        other.revokeKey('acme', record.id);
        expect(gateway.verifyKey(key)).toBeUndefined();
        other.close();
        gateway.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('writes last_used_at on first use and at most once a minute after', () => {
      let now = Date.parse('2030-01-01T00:00:00Z');
      const r = new SqliteTenantRegistry(':memory:', { now: () => new Date(now) });
      r.createTenant({ id: 'acme' });
      const { key } = r.createKey('acme');
      r.verifyKey(key);
      expect(r.listKeys('acme')[0]?.lastUsedAt).toBe('2030-01-01T00:00:00.000Z');
      now += 30_000;
      r.verifyKey(key);
      expect(r.listKeys('acme')[0]?.lastUsedAt).toBe('2030-01-01T00:00:00.000Z');
      now += 31_000;
      r.verifyKey(key);
      expect(r.listKeys('acme')[0]?.lastUsedAt).toBe('2030-01-01T00:01:01.000Z');
    });
  });

  it('evicts the least recently used entry of a bounded LRU cache', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1);
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c'), c.size]).toEqual([1, 3, 2]);
    c.deleteWhere((v) => v === 1);
    expect(c.get('a')).toBeUndefined();
  });
});
