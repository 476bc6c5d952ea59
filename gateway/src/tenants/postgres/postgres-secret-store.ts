import { NotFoundError } from '../../errors.js';
import type { SecretEntry, SecretStore, SecretValueCipher } from '../../secrets/secret-store.js';
import type { PostgresDatabase } from './postgres-database.js';

/**
 * `SecretStore` on PostgreSQL. With a cipher (every gateway of a fleet must
 * share its key: `secret.key` in each data dir), values are stored
 * encrypted and bound to `tenant/name`.
 *
 * @example
 * const secrets = new PostgresSecretStore(db, cipher);
 * await secrets.set('acme', 'API_TOKEN', 'hunter2');
 */
export class PostgresSecretStore implements SecretStore {
  readonly #db: PostgresDatabase;
  readonly #cipher: SecretValueCipher | undefined;

  constructor(db: PostgresDatabase, cipher?: SecretValueCipher) {
    this.#db = db;
    this.#cipher = cipher;
  }

  async set(tenantId: string, name: string, value: string): Promise<void> {
    const stored = this.#cipher ? this.#cipher.encrypt(value, `${tenantId}/${name}`) : value;
    const result = await this.#db.query(
      `INSERT INTO secrets (tenant_id, name, value, updated_at) SELECT id, $2, $3, $4 FROM tenants WHERE id = $1
         ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [tenantId, name, stored, this.#db.iso()],
    );
    if (result.rowCount === 0) throw new NotFoundError('tenant', tenantId);
  }

  async list(tenantId: string): Promise<SecretEntry[]> {
    const { rows } = await this.#db.query<{ name: string; updated_at: Date }>(
      'SELECT name, updated_at FROM secrets WHERE tenant_id = $1 ORDER BY name',
      [tenantId],
    );
    return rows.map((r) => ({ name: r.name, updatedAt: r.updated_at.toISOString() }));
  }

  async delete(tenantId: string, name: string): Promise<boolean> {
    const result = await this.#db.query('DELETE FROM secrets WHERE tenant_id = $1 AND name = $2', [
      tenantId,
      name,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async values(tenantId: string): Promise<Record<string, string>> {
    const { rows } = await this.#db.query<{ name: string; value: string }>(
      'SELECT name, value FROM secrets WHERE tenant_id = $1',
      [tenantId],
    );
    const cipher = this.#cipher;
    return Object.fromEntries(
      rows.map((r) => [r.name, cipher ? cipher.decrypt(r.value, `${tenantId}/${r.name}`) : r.value]),
    );
  }
}
