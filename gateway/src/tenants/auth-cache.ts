import type { Tenant } from './tenant-store.js';

/**
 * A bounded map with least-recently-used eviction, for the registry's
 * in-memory auth cache (key hash → key, tenant id → tenant). A `Map` keeps
 * insertion order, so a hit is moved to the end and the first entry is the
 * least recently used one.
 *
 * @example
 * const cache = new LruCache<string, number>(2);
 * cache.set('a', 1); cache.set('b', 2); cache.get('a'); cache.set('c', 3); // 'b' is evicted
 */
export class LruCache<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();

  constructor(max: number) {
    if (!(max >= 1)) throw new Error(`LruCache: max must be ≥ 1, got ${max}`);
    this.#max = max;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  /** Removes every entry whose value matches (revoking a key, deleting a tenant). */
  deleteWhere(match: (value: V, key: K) => boolean): void {
    for (const [key, value] of this.#map) if (match(value, key)) this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }
}

/** A verified key as the auth cache keeps it (under the key's SHA-256). */
export type CachedKey = { tenantId: string; keyId: string; lastUsedMs: number | null };

/**
 * Entries of each auth cache (keys by hash, tenants by id): about 200 bytes
 * each, so at most a few MB. The registry benchmark uses 10,000 tenants.
 */
const AUTH_CACHE_MAX = 10_000;

/**
 * The two caches of the request path, shared by a backend's tenant store and
 * key store: deleting a tenant must also drop its cached keys, and a write
 * seen from another writer drops both.
 *
 * @example
 * const caches = new AuthCaches();
 * caches.forgetTenant('acme'); // tenant and its keys
 */
export class AuthCaches {
  readonly keys = new LruCache<string, CachedKey>(AUTH_CACHE_MAX);
  readonly tenants = new LruCache<string, Tenant>(AUTH_CACHE_MAX);
  /**
   * Grows at every invalidation. A reader that fetched a row while an
   * invalidation arrived (another gateway's commit) does not cache it: it
   * compares the epoch from before its read.
   */
  epoch = 0;

  /** Drops the tenant and every cached key of it. */
  forgetTenant(tenantId: string): void {
    this.epoch++;
    this.tenants.delete(tenantId);
    this.keys.deleteWhere((k) => k.tenantId === tenantId);
  }

  /** Drops a key (revoked) wherever it is cached. */
  forgetKey(keyId: string): void {
    this.epoch++;
    this.keys.deleteWhere((k) => k.keyId === keyId);
  }

  clear(): void {
    this.epoch++;
    this.keys.clear();
    this.tenants.clear();
  }
}
