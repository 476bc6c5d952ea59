import { NotFoundError } from '../../errors.js';
import type { SecretEntry, SecretStore, SecretValueCipher } from '../../secrets/secret-store.js';
import type { SqliteRegistryDatabase } from './registry-database.js';

/**
 * `SecretStore` on the registry's SQLite file. With a cipher, values are
 * stored encrypted (bound to `tenant/name`), and rows stored in plaintext
 * before a cipher was configured are encrypted in place when the store opens.
 *
 * @example
 * const secrets = new SqliteSecretStore(db, new SecretCipher(loadOrCreateSecretKey(dataDir)));
 * secrets.set('acme', 'API_TOKEN', 'hunter2');
 */
export class SqliteSecretStore implements SecretStore {
  readonly #db: SqliteRegistryDatabase;
  readonly #cipher: SecretValueCipher | undefined;

  constructor(db: SqliteRegistryDatabase, cipher?: SecretValueCipher) {
    this.#db = db;
    this.#cipher = cipher;
    this.#encryptPlaintextRows();
  }

  /** Secrets stored before encryption was configured are encrypted in place, once. */
  #encryptPlaintextRows(): void {
    const cipher = this.#cipher;
    if (!cipher) return;
    const rows = this.#db.stmt('SELECT tenant_id, name, value FROM secrets').all() as {
      tenant_id: string;
      name: string;
      value: string;
    }[];
    const update = this.#db.stmt('UPDATE secrets SET value = ? WHERE tenant_id = ? AND name = ?');
    this.#db.transaction(() => {
      for (const r of rows) {
        if (cipher.isEncrypted(r.value)) continue;
        update.run(cipher.encrypt(r.value, `${r.tenant_id}/${r.name}`), r.tenant_id, r.name);
      }
    });
  }

  async set(tenantId: string, name: string, value: string): Promise<void> {
    if (!this.#db.tenantExists(tenantId)) throw new NotFoundError('tenant', tenantId);
    this.#db
      .stmt(
        `INSERT INTO secrets (tenant_id, name, value, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(
        tenantId,
        name,
        this.#cipher ? this.#cipher.encrypt(value, `${tenantId}/${name}`) : value,
        this.#db.iso(),
      );
  }

  async list(tenantId: string): Promise<SecretEntry[]> {
    return (
      this.#db
        .stmt('SELECT name, updated_at FROM secrets WHERE tenant_id = ? ORDER BY name')
        .all(tenantId) as {
        name: string;
        updated_at: string;
      }[]
    ).map((r) => ({ name: r.name, updatedAt: r.updated_at }));
  }

  async delete(tenantId: string, name: string): Promise<boolean> {
    return (
      this.#db.stmt('DELETE FROM secrets WHERE tenant_id = ? AND name = ?').run(tenantId, name).changes > 0
    );
  }

  async values(tenantId: string): Promise<Record<string, string>> {
    const rows = this.#db.stmt('SELECT name, value FROM secrets WHERE tenant_id = ?').all(tenantId) as {
      name: string;
      value: string;
    }[];
    const cipher = this.#cipher;
    return Object.fromEntries(
      rows.map((r) => [r.name, cipher ? cipher.decrypt(r.value, `${tenantId}/${r.name}`) : r.value]),
    );
  }
}
