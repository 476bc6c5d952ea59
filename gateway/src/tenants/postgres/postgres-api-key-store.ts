import { nanoid } from 'nanoid';
import { NotFoundError, RegistryUnavailableError } from '../../errors.js';
import { generateApiKey, hashApiKey, KEY_PREFIX_LENGTH, sameHash } from '../api-key.js';
import type { ApiKey, ApiKeyStore } from '../api-key-store.js';
import type { AuthCaches, CachedKey } from '../auth-cache.js';
import type { PostgresDatabase } from './postgres-database.js';
import type { CacheTrust } from './postgres-tenant-store.js';

type KeyRow = {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  hash: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

/** `last_used_at` is written at most this often per key: a write per request would serialise traffic. */
const LAST_USED_WRITE_MS = 60_000;

/**
 * `ApiKeyStore` on PostgreSQL. A verified key is kept in the shared LRU
 * cache (never a miss); every gateway's revocation drops it through
 * `NOTIFY` (migration 0002), this gateway's before `revoke` returns. While
 * the listener is down the cache is bypassed, and used only when the
 * database does not answer. The `last_used_at` write (at most once a
 * minute per key) is best effort: a request is never failed for it.
 *
 * @example
 * const keys = new PostgresApiKeyStore(db, caches, trust);
 * const { key } = await keys.create('acme', 'ci');
 */
export class PostgresApiKeyStore implements ApiKeyStore {
  readonly #db: PostgresDatabase;
  readonly #caches: AuthCaches;
  readonly #trust: CacheTrust;

  constructor(db: PostgresDatabase, caches: AuthCaches, trust: CacheTrust) {
    this.#db = db;
    this.#caches = caches;
    this.#trust = trust;
  }

  async create(tenantId: string, name?: string): Promise<{ key: string; record: ApiKey }> {
    const { key, prefix, hash } = generateApiKey();
    const { rows } = await this.#db.query<KeyRow>(
      `INSERT INTO api_keys (id, tenant_id, name, prefix, hash, created_at)
         SELECT $1, id, $3, $4, $5, $6 FROM tenants WHERE id = $2 RETURNING *`,
      [nanoid(12), tenantId, name ?? 'default', prefix, hash, this.#db.iso()],
    );
    const row = rows[0];
    if (row === undefined) throw new NotFoundError('tenant', tenantId);
    return { key, record: toKey(row) };
  }

  async list(tenantId: string): Promise<ApiKey[]> {
    const { rows } = await this.#db.query<KeyRow>(
      'SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id',
      [tenantId],
    );
    return rows.map(toKey);
  }

  async revoke(tenantId: string, keyId: string): Promise<boolean> {
    const result = await this.#db.query(
      'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND tenant_id = $3 AND revoked_at IS NULL',
      [this.#db.iso(), keyId, tenantId],
    );
    this.#caches.keys.deleteWhere((k) => k.keyId === keyId);
    return (result.rowCount ?? 0) > 0;
  }

  async verify(key: string): Promise<{ tenantId: string; keyId: string } | undefined> {
    if (key.length < KEY_PREFIX_LENGTH || key.length > 200) return undefined;
    const hash = hashApiKey(key);
    let entry = this.#caches.keys.get(hash);
    if (entry === undefined || !this.#trust.trusted()) {
      const read = await this.#read(key, hash, entry);
      if (read === undefined) return undefined;
      entry = read;
    }
    const now = this.#db.now();
    if (entry.lastUsedMs === null || now.getTime() - entry.lastUsedMs > LAST_USED_WRITE_MS) {
      entry.lastUsedMs = now.getTime();
      // One round trip a minute per key; an outage does not fail the request for it.
      await this.#db
        .query('UPDATE api_keys SET last_used_at = $1 WHERE id = $2', [now.toISOString(), entry.keyId])
        .catch(() => undefined);
    }
    return { tenantId: entry.tenantId, keyId: entry.keyId };
  }

  /** The key's row (unrevoked) into the cache; the cached entry when the database does not answer. */
  async #read(key: string, hash: string, cached: CachedKey | undefined): Promise<CachedKey | undefined> {
    let rows: KeyRow[];
    const epoch = this.#caches.epoch;
    try {
      rows = (
        await this.#db.query<KeyRow>('SELECT * FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL', [
          key.slice(0, KEY_PREFIX_LENGTH),
        ])
      ).rows;
    } catch (err) {
      if (err instanceof RegistryUnavailableError && cached !== undefined) return cached;
      throw err;
    }
    const row = rows.find((r) => sameHash(r.hash, hash));
    if (row === undefined) {
      this.#caches.keys.delete(hash);
      return undefined;
    }
    const entry: CachedKey = {
      tenantId: row.tenant_id,
      keyId: row.id,
      lastUsedMs: cached?.lastUsedMs ?? row.last_used_at?.getTime() ?? null,
    };
    if (this.#caches.epoch === epoch) this.#caches.keys.set(hash, entry);
    return entry;
  }
}

function toKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
