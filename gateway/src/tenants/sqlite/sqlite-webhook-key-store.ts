import type { WebhookKeyLookup, WebhookKeyStore } from '../webhook-key-store.js';
import type { SqliteRegistryDatabase } from './registry-database.js';

/**
 * Its own tables, created if missing: kept out of `REGISTRY_MIGRATIONS` so
 * that this port adds no entry to the shared, append-only list (issue 12
 * was built beside the registry's async/PostgreSQL work). Idempotent.
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS webhook_reports (
     tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
     reported_at TEXT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS webhook_keys (
     tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
     hash TEXT NOT NULL,
     PRIMARY KEY (tenant_id, hash)
   ) WITHOUT ROWID`,
];

/**
 * `WebhookKeyStore` on the registry's SQLite file: the hashes in
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
    for (const sql of SCHEMA) db.stmt(sql).run();
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
