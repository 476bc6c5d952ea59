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
