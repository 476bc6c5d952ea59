import type { WebhookKeyLookup, WebhookKeyStore } from '../webhook-key-store.js';
import type { PostgresDatabase } from './postgres-database.js';

/**
 * `WebhookKeyStore` on PostgreSQL (`webhook_keys` and `webhook_reports`,
 * migration 0004), as `SqliteWebhookKeyStore` does it: the hashes, and the
 * fact that a tenant reported at all ("reported none" differs from "never
 * reported"). A report replaces the last one in one transaction that holds
 * the tenant's row, so a concurrent delete cannot leave orphans behind.
 *
 * @example
 * const store = new PostgresWebhookKeyStore(db);
 * await store.replace('acme', [sha256hex]);
 */
export class PostgresWebhookKeyStore implements WebhookKeyStore {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async replace(tenantId: string, hashes: readonly string[]): Promise<void> {
    const now = this.#db.iso();
    await this.#db.transaction(async (q) => {
      const tenant = await q.query('SELECT 1 FROM tenants WHERE id = $1 FOR SHARE', [tenantId]);
      if (tenant.rowCount === 0) return;
      await q.query('DELETE FROM webhook_keys WHERE tenant_id = $1', [tenantId]);
      await q.query(
        `INSERT INTO webhook_keys (tenant_id, hash)
           SELECT $1, h FROM unnest($2::text[]) AS h ON CONFLICT DO NOTHING`,
        [tenantId, [...hashes]],
      );
      await q.query(
        `INSERT INTO webhook_reports (tenant_id, reported_at) VALUES ($1, $2)
           ON CONFLICT (tenant_id) DO UPDATE SET reported_at = excluded.reported_at`,
        [tenantId, now],
      );
    });
  }

  async lookup(tenantId: string, hash: string): Promise<WebhookKeyLookup> {
    const { rows } = await this.#db.query<{ known: boolean; reported: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM webhook_keys WHERE tenant_id = $1 AND hash = $2) AS known,
              EXISTS (SELECT 1 FROM webhook_reports WHERE tenant_id = $1) AS reported`,
      [tenantId, hash],
    );
    const row = rows[0];
    if (row?.known) return 'known';
    return row?.reported ? 'unknown' : 'unreported';
  }
}
