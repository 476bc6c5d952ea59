import { DEFAULT_KESTRA_VERSION_FOR_NEW_TENANTS, type KestraVersion } from '@silo/contracts';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { TenantLimits } from '../../runtime/runtime-driver.js';
import type { AuthCaches } from '../auth-cache.js';
import type { NewTenant, Tenant, TenantState, TenantStore } from '../tenant-store.js';
import type { SqliteRegistryDatabase } from './registry-database.js';

type TenantRow = {
  id: string;
  name: string;
  state: TenantState;
  suspended_reason: string | null;
  limits: string;
  kestra_version: KestraVersion;
  version: string | null;
  created_at: string;
  updated_at: string;
};

/**
 * `TenantStore` on the registry's SQLite file. `get` is served from the
 * shared LRU cache (tenant id → tenant); suspend, resume and delete drop the
 * entry before they return, and a commit by another connection to the file
 * drops the whole cache on the next lookup.
 *
 * @example
 * const tenants = new SqliteTenantStore(db, caches);
 * tenants.create({ id: 'acme' });
 */
export class SqliteTenantStore implements TenantStore {
  readonly #db: SqliteRegistryDatabase;
  readonly #caches: AuthCaches;

  constructor(db: SqliteRegistryDatabase, caches: AuthCaches) {
    this.#db = db;
    this.#caches = caches;
  }

  async create(input: NewTenant): Promise<Tenant> {
    const now = this.#db.iso();
    try {
      this.#db
        .stmt(
          `INSERT INTO tenants (id, name, state, limits, kestra_version, version, created_at, updated_at) VALUES (?, ?, 'active', ?, ?, ?, ?, ?)`,
        )
        .run(
          input.id,
          input.name ?? input.id,
          JSON.stringify(input.limits ?? {}),
          input.kestraVersion ?? DEFAULT_KESTRA_VERSION_FOR_NEW_TENANTS,
          input.version ?? null,
          now,
          now,
        );
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new ConflictError(`tenant ${input.id} already exists`);
      }
      throw err;
    }
    return this.#get(input.id) as Tenant;
  }

  async get(id: string): Promise<Tenant | undefined> {
    return this.#get(id);
  }

  #get(id: string): Tenant | undefined {
    if (this.#db.changedByOthers()) this.#caches.clear();
    const cached = this.#caches.tenants.get(id);
    if (cached !== undefined) return cached;
    const row = this.#db.stmt('SELECT * FROM tenants WHERE id = ?').get(id) as TenantRow | undefined;
    if (row === undefined) return undefined;
    const tenant = toTenant(row);
    this.#caches.tenants.set(id, tenant);
    return tenant;
  }

  async list(): Promise<Tenant[]> {
    return (this.#db.stmt('SELECT * FROM tenants ORDER BY id').all() as TenantRow[]).map(toTenant);
  }

  /** Keys, secrets and instance facts go with it (`ON DELETE CASCADE`). */
  async delete(id: string): Promise<boolean> {
    const deleted = this.#db.stmt('DELETE FROM tenants WHERE id = ?').run(id).changes > 0;
    this.#caches.forgetTenant(id);
    return deleted;
  }

  async setState(id: string, state: TenantState, reason: string | null = null): Promise<Tenant> {
    const changed = this.#db
      .stmt('UPDATE tenants SET state = ?, suspended_reason = ?, updated_at = ? WHERE id = ?')
      .run(state, state === 'suspended' ? reason : null, this.#db.iso(), id).changes;
    this.#caches.tenants.delete(id);
    if (changed === 0) throw new NotFoundError('tenant', id);
    return this.#get(id) as Tenant;
  }

  async setLimits(id: string, limits: TenantLimits): Promise<Tenant> {
    const changed = this.#db
      .stmt('UPDATE tenants SET limits = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(limits), this.#db.iso(), id).changes;
    this.#caches.tenants.delete(id);
    if (changed === 0) throw new NotFoundError('tenant', id);
    return this.#get(id) as Tenant;
  }

  async setKestraVersion(id: string, version: KestraVersion): Promise<Tenant> {
    const changed = this.#db
      .stmt('UPDATE tenants SET kestra_version = ?, updated_at = ? WHERE id = ?')
      .run(version, this.#db.iso(), id).changes;
    this.#caches.tenants.delete(id);
    if (changed === 0) throw new NotFoundError('tenant', id);
    return this.#get(id) as Tenant;
  }

  async setVersion(id: string, version: string): Promise<Tenant> {
    const changed = this.#db
      .stmt('UPDATE tenants SET version = ?, updated_at = ? WHERE id = ?')
      .run(version, this.#db.iso(), id).changes;
    this.#caches.tenants.delete(id);
    if (changed === 0) throw new NotFoundError('tenant', id);
    return this.#get(id) as Tenant;
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
    kestraVersion: row.kestra_version,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
