import type { KvType } from '../kv/kv-value.js';

/** A value as tasks and the `kv()` function read it. */
export type KvValue = { value: unknown; type: string; expiresAt?: string | null };

/** What kv tasks and the `kv()` template function need (task-facing part of `KvStore`). */
export type KvService = {
  get(namespace: string, key: string): KvValue | undefined;
  set(
    namespace: string,
    key: string,
    value: unknown,
    options?: { ttlMs?: number; overwrite?: boolean; type?: string },
  ): void;
  delete(namespace: string, key: string): boolean;
  keys(namespace: string, prefix?: string): string[];
  /** Deletes the entries of the namespaces (and their children), expired ones only unless told; answers how many. */
  purge?(filter: KvPurgeFilter): number;
};

/** Which KV entries kv.PurgeKV removes. */
export type KvPurgeFilter = {
  namespaces: readonly string[];
  includeChildNamespaces: boolean;
  expiredOnly: boolean;
  /** Keys matching this glob (`*` any run, `?` one character); all when absent. */
  keyPattern?: string;
};

/** Metadata of one stored key (Kestra's `KVEntry`, plus the type). Dates are ISO-8601 UTC. */
export type KvEntry = {
  namespace: string;
  key: string;
  type: KvType;
  /** Starts at 1, +1 on each overwrite (Kestra's `version` / `revision`). */
  revision: number;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  /** When the TTL ends; `null` for a key that never expires. */
  expiresAt: string | null;
};

/** A value with its metadata (`GET .../kv/{key}`). */
export type KvRecord = KvEntry & { value: unknown };

export type KvSetOptions = {
  /** Time to live from now; absent: never expires. */
  ttlMs?: number;
  /** When false and the key exists, the set fails with `KV_KEY_EXISTS`. @default true */
  overwrite?: boolean;
  /** The stored type; absent: inferred from the value (Kestra's `KVType.from`). */
  type?: string;
  description?: string | null;
};

/**
 * The namespace key-value store. Extends the task-facing `KvService` (what
 * kv tasks and the `kv()` function use) with the metadata the KV API needs.
 * Expired keys read as missing. Every `KvStore` is a `KvService`.
 *
 * @example
 * store.set('company.team', 'orders', { n: 1 }, { ttlMs: 60_000 });
 * store.get('company.team', 'orders'); // { value: { n: 1 }, type: 'JSON', expiresAt: '...' }
 */
export type KvStore = Omit<KvService, 'set'> & {
  set(namespace: string, key: string, value: unknown, options?: KvSetOptions): KvEntry;
  /** The value and its metadata, or `undefined` when missing or expired. */
  getRecord(namespace: string, key: string): KvRecord | undefined;
  /** Live entries of one namespace, sorted by key. */
  list(namespace: string): KvEntry[];
  /** Namespaces holding at least one live entry, sorted (`GET /kv` lists across them). */
  namespaces(): string[];
  /** Deletes expired entries; returns how many. */
  purgeExpired(): number;
};
