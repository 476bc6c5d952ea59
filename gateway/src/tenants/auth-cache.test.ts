import { describe, expect, it } from 'vitest';
import { AuthCaches, LruCache } from './auth-cache.js';
import type { Tenant } from './tenant-store.js';

describe('auth cache', () => {
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

  it('forgets a tenant together with its cached keys, and only those', () => {
    const caches = new AuthCaches();
    caches.tenants.set('acme', { id: 'acme' } as Tenant);
    caches.keys.set('h1', { tenantId: 'acme', keyId: 'k1', lastUsedMs: null });
    caches.keys.set('h2', { tenantId: 'beta', keyId: 'k2', lastUsedMs: null });
    caches.forgetTenant('acme');
    expect([caches.tenants.get('acme'), caches.keys.get('h1')]).toEqual([undefined, undefined]);
    expect(caches.keys.get('h2')?.keyId).toBe('k2');
  });
});
