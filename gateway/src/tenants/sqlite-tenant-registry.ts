import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3';
import { nanoid } from 'nanoid';
import { ConflictError, NotFoundError } from '../errors.js';
import type { TenantLimits } from '../runtime/runtime-driver.js';
import { generateApiKey, hashApiKey, KEY_PREFIX_LENGTH, sameHash } from './api-key.js';
import { LruCache } from './auth-cache.js';
import { REGISTRY_MIGRATIONS } from './registry-migrations.js';
import type { ApiKey, InstanceInfo, Tenant, TenantRegistry, TenantState } from './tenant-registry.js';

type TenantRow = {
  id: string;
  name: string;
  state: TenantState;
  suspended_reason: string | null;
  limits: string;
  created_at: string;
  updated_at: string;
};
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
type InstanceRow = {
  tenant_id: string;
  cold_starts: number;
  started_at: string | null;
  last_activity_at: string | null;
  next_wake_at: string | null;
  next_wake_reason: string | null;
  last_error: string | null;
  last_start_ms: number | null;
};

const INSTANCE_COLUMNS: Record<keyof Omit<InstanceInfo, 'tenantId'>, string> = {
  coldStarts: 'cold_starts',
  startedAt: 'started_at',
  lastActivityAt: 'last_activity_at',
  nextWakeAt: 'next_wake_at',
  nextWakeReason: 'next_wake_reason',
  lastError: 'last_error',
  lastStartMs: 'last_start_ms',
};

/** What the registry needs to keep secret values encrypted; `context` is the row's identity (`tenant/name`). */
export type SecretValueCipher = {
  encrypt(plain: string, context: string): string;
  decrypt(stored: string, context: string): string;
  /** Whether a stored value is already encrypted (plaintext rows from before are encrypted at open). */
  isEncrypted(stored: string): boolean;
};

/** A verified key as the auth cache keeps it (under the key's SHA-256). */
type CachedKey = { tenantId: string; keyId: string; lastUsedMs: number | null };

/**
 * Entries of each auth cache (keys by hash, tenants by id): about 200 bytes
 * each, so at most a few MB. The registry benchmark uses 10,000 tenants.
 */
const AUTH_CACHE_MAX = 10_000;

/**
 * The registry in the gateway's own SQLite file (WAL, foreign keys on,
 * migrated by `PRAGMA user_version`). The file is created 0600.
 *
 * Every statement is prepared once and reused (preparing one per request was
 * a visible share of a proxied request's CPU in the warm-proxy profile). The
 * key check and the tenant lookup of the request path are served from two
 * bounded LRU caches (key hash → key, tenant id → tenant). Writes through
 * this registry invalidate them at once (revoke, suspend, resume, delete),
 * and a write by any other connection to the file is noticed by
 * `PRAGMA data_version` on the next lookup, which then drops both caches: a
 * revoked key or a suspended tenant never passes from the cache.
 *
 * @example
 * const registry = new SqliteTenantRegistry('.silo/registry.db');
 * registry.createTenant({ id: 'acme' });
 * const { key } = registry.createKey('acme', 'ci');
 */
export class SqliteTenantRegistry implements TenantRegistry {
  readonly #db: Database.Database;
  readonly #now: () => Date;
  readonly #cipher: SecretValueCipher | undefined;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #keyCache = new LruCache<string, CachedKey>(AUTH_CACHE_MAX);
  readonly #tenantCache = new LruCache<string, Tenant>(AUTH_CACHE_MAX);
  #dataVersion = -1;
  #dataVersionStmt: Database.Statement | undefined;

  constructor(
    path: string,
    options: {
      now?: () => Date;
      /** Encrypts secret values at rest (secrets/secret-cipher.ts); without it they are stored as given. */
      cipher?: SecretValueCipher;
    } = {},
  ) {
    this.#db = new Database(path);
    if (path !== ':memory:') chmodSync(path, 0o600);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma('foreign_keys = ON');
    this.#now = options.now ?? (() => new Date());
    this.#cipher = options.cipher;
    this.#migrate();
    this.#encryptPlaintextSecrets();
  }

  /** Secrets stored before encryption was configured are encrypted in place, once. */
  #encryptPlaintextSecrets(): void {
    const cipher = this.#cipher;
    if (!cipher) return;
    const rows = this.#stmt('SELECT tenant_id, name, value FROM secrets').all() as {
      tenant_id: string;
      name: string;
      value: string;
    }[];
    const update = this.#stmt('UPDATE secrets SET value = ? WHERE tenant_id = ? AND name = ?');
    this.#db.transaction(() => {
      for (const r of rows) {
        if (cipher.isEncrypted(r.value)) continue;
        update.run(cipher.encrypt(r.value, `${r.tenant_id}/${r.name}`), r.tenant_id, r.name);
      }
    })();
  }

  /** The statement for `sql`, prepared on first use and kept. */
  #stmt(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Drops the auth caches when another connection has committed to the file since the last look. */
  #noticeOtherWriters(): void {
    this.#dataVersionStmt ??= this.#db.prepare('PRAGMA data_version').pluck();
    const version = this.#dataVersionStmt.get() as number;
    if (version === this.#dataVersion) return;
    this.#dataVersion = version;
    this.#keyCache.clear();
    this.#tenantCache.clear();
  }

  #migrate(): void {
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    for (let i = version; i < REGISTRY_MIGRATIONS.length; i++) {
      this.#db.transaction(() => {
        this.#db.exec(REGISTRY_MIGRATIONS[i] as string);
        this.#db.pragma(`user_version = ${i + 1}`);
      })();
    }
  }

  #iso(): string {
    return this.#now().toISOString();
  }

  createTenant(input: { id: string; name?: string; limits?: TenantLimits }): Tenant {
    const now = this.#iso();
    try {
      this.#stmt(
        `INSERT INTO tenants (id, name, state, limits, created_at, updated_at) VALUES (?, ?, 'active', ?, ?, ?)`,
      ).run(input.id, input.name ?? input.id, JSON.stringify(input.limits ?? {}), now, now);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new ConflictError(`tenant ${input.id} already exists`);
      }
      throw err;
    }
    return this.getTenant(input.id) as Tenant;
  }

  getTenant(id: string): Tenant | undefined {
    this.#noticeOtherWriters();
    const cached = this.#tenantCache.get(id);
    if (cached !== undefined) return cached;
    const row = this.#stmt('SELECT * FROM tenants WHERE id = ?').get(id) as TenantRow | undefined;
    if (row === undefined) return undefined;
    const tenant = toTenant(row);
    this.#tenantCache.set(id, tenant);
    return tenant;
  }

  listTenants(): Tenant[] {
    return (this.#stmt('SELECT * FROM tenants ORDER BY id').all() as TenantRow[]).map(toTenant);
  }

  deleteTenant(id: string): boolean {
    const deleted = this.#stmt('DELETE FROM tenants WHERE id = ?').run(id).changes > 0;
    this.#tenantCache.delete(id);
    this.#keyCache.deleteWhere((k) => k.tenantId === id);
    return deleted;
  }

  setTenantState(id: string, state: TenantState, reason: string | null = null): Tenant {
    const changed = this.#stmt(
      'UPDATE tenants SET state = ?, suspended_reason = ?, updated_at = ? WHERE id = ?',
    ).run(state, state === 'suspended' ? reason : null, this.#iso(), id).changes;
    this.#tenantCache.delete(id);
    if (changed === 0) throw new NotFoundError('tenant', id);
    return this.getTenant(id) as Tenant;
  }

  createKey(tenantId: string, name?: string): { key: string; record: ApiKey } {
    if (!this.getTenant(tenantId)) throw new NotFoundError('tenant', tenantId);
    const { key, prefix, hash } = generateApiKey();
    const id = nanoid(12);
    this.#stmt(
      'INSERT INTO api_keys (id, tenant_id, name, prefix, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(id, tenantId, name ?? 'default', prefix, hash, this.#iso());
    const row = this.#stmt('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow;
    return { key, record: toKey(row) };
  }

  listKeys(tenantId: string): ApiKey[] {
    return (
      this.#stmt('SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id').all(
        tenantId,
      ) as KeyRow[]
    ).map(toKey);
  }

  revokeKey(tenantId: string, keyId: string): boolean {
    const revoked =
      this.#stmt(
        'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL',
      ).run(this.#iso(), keyId, tenantId).changes > 0;
    this.#keyCache.deleteWhere((k) => k.keyId === keyId);
    return revoked;
  }

  verifyKey(key: string): { tenantId: string; keyId: string } | undefined {
    if (key.length < KEY_PREFIX_LENGTH || key.length > 200) return undefined;
    const hash = hashApiKey(key);
    this.#noticeOtherWriters();
    let entry = this.#keyCache.get(hash);
    if (entry === undefined) {
      // Misses are not cached: a key created a moment later must pass at once.
      const rows = this.#stmt('SELECT * FROM api_keys WHERE prefix = ? AND revoked_at IS NULL').all(
        key.slice(0, KEY_PREFIX_LENGTH),
      ) as KeyRow[];
      const row = rows.find((r) => sameHash(r.hash, hash));
      if (!row) return undefined;
      entry = {
        tenantId: row.tenant_id,
        keyId: row.id,
        lastUsedMs: row.last_used_at === null ? null : Date.parse(row.last_used_at),
      };
      this.#keyCache.set(hash, entry);
    }
    const now = this.#now();
    // Write last_used_at at most once a minute per key: a write per request would serialise traffic.
    if (entry.lastUsedMs === null || now.getTime() - entry.lastUsedMs > 60_000) {
      this.#stmt('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now.toISOString(), entry.keyId);
      entry.lastUsedMs = now.getTime();
    }
    return { tenantId: entry.tenantId, keyId: entry.keyId };
  }

  setSecret(tenantId: string, name: string, value: string): void {
    if (!this.getTenant(tenantId)) throw new NotFoundError('tenant', tenantId);
    this.#stmt(
      `INSERT INTO secrets (tenant_id, name, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ).run(
      tenantId,
      name,
      this.#cipher ? this.#cipher.encrypt(value, `${tenantId}/${name}`) : value,
      this.#iso(),
    );
  }

  listSecretNames(tenantId: string): { name: string; updatedAt: string }[] {
    return (
      this.#stmt('SELECT name, updated_at FROM secrets WHERE tenant_id = ? ORDER BY name').all(tenantId) as {
        name: string;
        updated_at: string;
      }[]
    ).map((r) => ({ name: r.name, updatedAt: r.updated_at }));
  }

  deleteSecret(tenantId: string, name: string): boolean {
    return this.#stmt('DELETE FROM secrets WHERE tenant_id = ? AND name = ?').run(tenantId, name).changes > 0;
  }

  secrets(tenantId: string): Record<string, string> {
    const rows = this.#stmt('SELECT name, value FROM secrets WHERE tenant_id = ?').all(tenantId) as {
      name: string;
      value: string;
    }[];
    const cipher = this.#cipher;
    return Object.fromEntries(
      rows.map((r) => [r.name, cipher ? cipher.decrypt(r.value, `${tenantId}/${r.name}`) : r.value]),
    );
  }

  instanceInfo(tenantId: string): InstanceInfo {
    const row = this.#stmt('SELECT * FROM instances WHERE tenant_id = ?').get(tenantId) as
      | InstanceRow
      | undefined;
    return {
      tenantId,
      coldStarts: row?.cold_starts ?? 0,
      startedAt: row?.started_at ?? null,
      lastActivityAt: row?.last_activity_at ?? null,
      nextWakeAt: row?.next_wake_at ?? null,
      nextWakeReason: row?.next_wake_reason ?? null,
      lastError: row?.last_error ?? null,
      lastStartMs: row?.last_start_ms ?? null,
    };
  }

  updateInstanceInfo(tenantId: string, patch: Partial<Omit<InstanceInfo, 'tenantId'>>): void {
    if (!this.getTenant(tenantId)) return;
    const entries = Object.entries(patch).filter(([k]) => k in INSTANCE_COLUMNS) as [
      keyof typeof INSTANCE_COLUMNS,
      unknown,
    ][];
    this.#stmt('INSERT OR IGNORE INTO instances (tenant_id) VALUES (?)').run(tenantId);
    if (entries.length === 0) return;
    const sets = entries.map(([k]) => `${INSTANCE_COLUMNS[k]} = ?`).join(', ');
    this.#stmt(`UPDATE instances SET ${sets} WHERE tenant_id = ?`).run(
      ...entries.map(([, v]) => v as string | number | null),
      tenantId,
    );
  }

  pendingWakes(): { tenantId: string; nextWakeAt: string; reason: string | null }[] {
    return (
      this.#stmt(
        `SELECT i.tenant_id, i.next_wake_at, i.next_wake_reason FROM instances i JOIN tenants t ON t.id = i.tenant_id
           WHERE i.next_wake_at IS NOT NULL AND t.state = 'active' ORDER BY i.next_wake_at`,
      ).all() as { tenant_id: string; next_wake_at: string; next_wake_reason: string | null }[]
    ).map((r) => ({ tenantId: r.tenant_id, nextWakeAt: r.next_wake_at, reason: r.next_wake_reason }));
  }

  close(): void {
    this.#statements.clear();
    this.#keyCache.clear();
    this.#tenantCache.clear();
    this.#db.close();
  }
}

/** Frozen: the same object is handed out from the cache to every caller. */
function toTenant(row: TenantRow): Tenant {
  return Object.freeze({
    id: row.id,
    name: row.name,
    state: row.state,
    suspendedReason: row.suspended_reason,
    limits: Object.freeze(JSON.parse(row.limits)) as TenantLimits,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
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
