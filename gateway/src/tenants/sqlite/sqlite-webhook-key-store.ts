import type { WebhookKeyLookup, WebhookKeyStore } from '../webhook-key-store.js';
import type { SqliteRegistryDatabase } from './registry-database.js';

/**
 * `WebhookKeyStore` on the registry's SQLite file (tables: migration 2): the hashes in
 * `webhook_keys`, and in `webhook_reports` the fact that a tenant reported
 * at all (so that "reported none" and "never reported" differ).
 *
 * @example
 * const store = new SqliteWebhookKeyStore(db);
 * await store.replace('acme', [sha256hex]);
 */
export class SqliteWebhookKeyStore implements WebhookKeyStore {
  readonly #db: SqliteRegistryDatabase;

  constructor(db: SqliteRegistryDatabase) {
    this.#db = db;
  }

  async replace(tenantId: string, hashes: readonly string[]): Promise<void> {
    this.#db.transaction(() => {
      if (!this.#db.tenantExists(tenantId)) return;
      this.#db.stmt('DELETE FROM webhook_keys WHERE tenant_id = ?').run(tenantId);
      const insert = this.#db.stmt('INSERT OR IGNORE INTO webhook_keys (tenant_id, hash) VALUES (?, ?)');
      for (const hash of hashes) insert.run(tenantId, hash);
      this.#db
        .stmt(
          'INSERT INTO webhook_reports (tenant_id, reported_at) VALUES (?, ?) ON CONFLICT (tenant_id) DO UPDATE SET reported_at = excluded.reported_at',
        )
        .run(tenantId, this.#db.iso());
    });
  }

  async lookup(tenantId: string, hash: string): Promise<WebhookKeyLookup> {
    const known = this.#db
      .stmt('SELECT 1 FROM webhook_keys WHERE tenant_id = ? AND hash = ?')
      .get(tenantId, hash);
    if (known !== undefined) return 'known';
    const reported = this.#db.stmt('SELECT 1 FROM webhook_reports WHERE tenant_id = ?').get(tenantId);
    return reported === undefined ? 'unreported' : 'unknown';
  }
}
