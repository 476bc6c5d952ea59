import { nanoid } from 'nanoid';
import { NotFoundError } from '../../errors.js';
import { generateApiKey, hashApiKey, KEY_PREFIX_LENGTH, sameHash } from '../api-key.js';
import type { ApiKey, ApiKeyStore } from '../api-key-store.js';
import type { AuthCaches } from '../auth-cache.js';
import type { SqliteRegistryDatabase } from './registry-database.js';

type KeyRow = {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
};

/** `last_used_at` is written at most this often per key: a write per request would serialise traffic. */
const LAST_USED_WRITE_MS = 60_000;

/**
 * `ApiKeyStore` on the registry's SQLite file. A verified key is kept in the
 * shared LRU cache (key SHA-256 → tenant, key id); misses are not cached, so
 * a key created a moment later passes at once. A revocation drops the entry
 * before it returns, and a commit by another connection to the file drops
 * the whole cache on the next lookup: a revoked key never passes.
 *
 * @example
 * const keys = new SqliteApiKeyStore(db, caches);
 * const { key } = keys.create('acme', 'ci');
 */
export class SqliteApiKeyStore implements ApiKeyStore {
  readonly #db: SqliteRegistryDatabase;
  readonly #caches: AuthCaches;

  constructor(db: SqliteRegistryDatabase, caches: AuthCaches) {
    this.#db = db;
    this.#caches = caches;
  }

  async create(tenantId: string, name?: string): Promise<{ key: string; record: ApiKey }> {
    if (!this.#db.tenantExists(tenantId)) throw new NotFoundError('tenant', tenantId);
    const { key, prefix, hash } = generateApiKey();
    const id = nanoid(12);
    this.#db
      .stmt('INSERT INTO api_keys (id, tenant_id, name, prefix, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, tenantId, name ?? 'default', prefix, hash, this.#db.iso());
    const row = this.#db.stmt('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow;
    return { key, record: toKey(row) };
  }

  async list(tenantId: string): Promise<ApiKey[]> {
    return (
      this.#db
        .stmt('SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id')
        .all(tenantId) as KeyRow[]
    ).map(toKey);
  }

  async revoke(tenantId: string, keyId: string): Promise<boolean> {
    const revoked =
      this.#db
        .stmt('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL')
        .run(this.#db.iso(), keyId, tenantId).changes > 0;
    this.#caches.keys.deleteWhere((k) => k.keyId === keyId);
    return revoked;
  }

  async verify(key: string): Promise<{ tenantId: string; keyId: string } | undefined> {
    if (key.length < KEY_PREFIX_LENGTH || key.length > 200) return undefined;
    const hash = hashApiKey(key);
    if (this.#db.changedByOthers()) this.#caches.clear();
    let entry = this.#caches.keys.get(hash);
    if (entry === undefined) {
      const rows = this.#db
        .stmt('SELECT * FROM api_keys WHERE prefix = ? AND revoked_at IS NULL')
        .all(key.slice(0, KEY_PREFIX_LENGTH)) as KeyRow[];
      const row = rows.find((r) => sameHash(r.hash, hash));
      if (!row) return undefined;
      entry = {
        tenantId: row.tenant_id,
        keyId: row.id,
        lastUsedMs: row.last_used_at === null ? null : Date.parse(row.last_used_at),
      };
      this.#caches.keys.set(hash, entry);
    }
    const now = this.#db.now();
    if (entry.lastUsedMs === null || now.getTime() - entry.lastUsedMs > LAST_USED_WRITE_MS) {
      this.#db.stmt('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now.toISOString(), entry.keyId);
      entry.lastUsedMs = now.getTime();
    }
    return { tenantId: entry.tenantId, keyId: entry.keyId };
  }
}

function toKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
