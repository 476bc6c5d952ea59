/** An API key as stored: never the key itself, only its visible prefix and a hash. */
export type ApiKey = {
  id: string;
  tenantId: string;
  name: string;
  /** The first characters of the key, shown in lists so people can tell keys apart. */
  prefix: string;
  /** ISO-8601. */
  createdAt: string;
  /** ISO-8601; written on first use, then at most once a minute. */
  lastUsedAt: string | null;
  /** ISO-8601. */
  revokedAt: string | null;
};

/**
 * Tenants' API keys (port; `SqliteApiKeyStore` implements it, the contract is
 * `api-key-store.contract.ts`). Keys are generated and hashed by `api-key.ts`,
 * so every backend stores the same prefix + SHA-256 and a key survives a
 * move between backends. `verify` sits on every request's path: an adapter
 * caches hits (never misses) and a revocation, by this store or by another
 * writer, is never passed from the cache.
 *
 * @example
 * const { key, record } = await keys.create('acme', 'ci'); // `key` is shown once
 * await keys.verify(key); // { tenantId: 'acme', keyId: record.id }
 */
export interface ApiKeyStore {
  /**
   * Creates a key and returns it in clear text, once.
   * @throws NotFoundError for an unknown tenant.
   */
  create(tenantId: string, name?: string): Promise<{ key: string; record: ApiKey }>;
  /** The tenant's keys (revoked ones included), oldest first. */
  list(tenantId: string): Promise<ApiKey[]>;
  /** False when the tenant has no such unrevoked key. */
  revoke(tenantId: string, keyId: string): Promise<boolean>;
  /** The tenant and key id of a valid, unrevoked key, or undefined. Records the use (`lastUsedAt`). */
  verify(key: string): Promise<{ tenantId: string; keyId: string } | undefined>;
}
