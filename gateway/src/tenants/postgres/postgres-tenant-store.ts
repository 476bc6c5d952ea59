import { ConflictError, NotFoundError, RegistryUnavailableError } from '../../errors.js';
import type { TenantLimits } from '../../runtime/runtime-driver.js';
import type { AuthCaches } from '../auth-cache.js';
import type { Tenant, TenantState, TenantStore } from '../tenant-store.js';
import type { PostgresDatabase } from './postgres-database.js';

type TenantRow = {
  id: string;
  name: string;
  state: TenantState;
  suspended_reason: string | null;
  limits: TenantLimits;
  created_at: Date;
  updated_at: Date;
};

/** When the auth caches may answer without the database (`openPostgresRegistry` decides). */
export type CacheTrust = { trusted(): boolean };

/**
 * `TenantStore` on PostgreSQL. `get` is answered from the shared LRU cache
 * while the registry listener is live (every gateway's suspend, resume and
 * delete drops the entry through `NOTIFY`), and from the cache as a last
 * resort when the database does not answer: running tenants keep being
 * served through an outage.
 *
 * @example
 * const tenants = new PostgresTenantStore(db, caches, trust);
 * await tenants.create({ id: 'acme' });
 */
export class PostgresTenantStore implements TenantStore {
  readonly #db: PostgresDatabase;
  readonly #caches: AuthCaches;
  readonly #trust: CacheTrust;

  constructor(db: PostgresDatabase, caches: AuthCaches, trust: CacheTrust) {
    this.#db = db;
    this.#caches = caches;
    this.#trust = trust;
  }

  async create(input: { id: string; name?: string; limits?: TenantLimits }): Promise<Tenant> {
    const now = this.#db.iso();
    try {
      const { rows } = await this.#db.query<TenantRow>(
        `INSERT INTO tenants (id, name, state, limits, created_at, updated_at)
           VALUES ($1, $2, 'active', $3, $4, $4) RETURNING *`,
        [input.id, input.name ?? input.id, JSON.stringify(input.limits ?? {}), now],
      );
      return toTenant(rows[0] as TenantRow);
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new ConflictError(`tenant ${input.id} already exists`);
      throw err;
    }
  }

  async get(id: string): Promise<Tenant | undefined> {
    const cached = this.#caches.tenants.get(id);
    if (cached !== undefined && this.#trust.trusted()) return cached;
    const epoch = this.#caches.epoch;
    try {
      const { rows } = await this.#db.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [id]);
      const row = rows[0];
      if (row === undefined) {
        this.#caches.tenants.delete(id);
        return undefined;
      }
      const tenant = toTenant(row);
      if (this.#caches.epoch === epoch) this.#caches.tenants.set(id, tenant);
      return tenant;
    } catch (err) {
      if (err instanceof RegistryUnavailableError && cached !== undefined) return cached;
      throw err;
    }
  }

  async list(): Promise<Tenant[]> {
    return (await this.#db.query<TenantRow>('SELECT * FROM tenants ORDER BY id')).rows.map(toTenant);
  }

  /** Keys, secrets, instance facts and the wake timer go with it (`ON DELETE CASCADE`). */
  async delete(id: string): Promise<boolean> {
    const deleted = ((await this.#db.query('DELETE FROM tenants WHERE id = $1', [id])).rowCount ?? 0) > 0;
    this.#caches.forgetTenant(id);
    return deleted;
  }

  async setState(id: string, state: TenantState, reason: string | null = null): Promise<Tenant> {
    const { rows } = await this.#db.query<TenantRow>(
      'UPDATE tenants SET state = $1, suspended_reason = $2, updated_at = $3 WHERE id = $4 RETURNING *',
      [state, state === 'suspended' ? reason : null, this.#db.iso(), id],
    );
    this.#caches.tenants.delete(id);
    const row = rows[0];
    if (row === undefined) throw new NotFoundError('tenant', id);
    return toTenant(row);
  }

  /** The tenants trigger (migration 0002) drops every gateway's cached entry at commit. */
  async setLimits(id: string, limits: TenantLimits): Promise<Tenant> {
    const { rows } = await this.#db.query<TenantRow>(
      'UPDATE tenants SET limits = $1, updated_at = $2 WHERE id = $3 RETURNING *',
      [JSON.stringify(limits), this.#db.iso(), id],
    );
    this.#caches.tenants.delete(id);
    const row = rows[0];
    if (row === undefined) throw new NotFoundError('tenant', id);
    return toTenant(row);
  }
}

/** Frozen: the same object is handed out from the cache to every caller. */
function toTenant(row: TenantRow): Tenant {
  return Object.freeze({
    id: row.id,
    name: row.name,
    state: row.state,
    suspendedReason: row.suspended_reason,
    limits: Object.freeze({ ...row.limits }),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  });
}
