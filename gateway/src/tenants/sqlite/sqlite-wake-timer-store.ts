import type { WakeTimer, WakeTimerStore } from '../wake-timer-store.js';
import type { SqliteRegistryDatabase } from './registry-database.js';

type WakeRow = { tenant_id: string; next_wake_at: string; next_wake_reason: string | null };

/**
 * `WakeTimerStore` on the registry's SQLite file: the `next_wake_at` and
 * `next_wake_reason` columns of the tenant's `instances` row (migration 1;
 * the row is shared with `SqliteInstanceFactStore`, each writes only its
 * own columns).
 *
 * @example
 * const wakeTimers = new SqliteWakeTimerStore(db);
 * wakeTimers.set('acme', '2030-01-01T00:00:00.000Z', 'schedule:nightly');
 */
export class SqliteWakeTimerStore implements WakeTimerStore {
  readonly #db: SqliteRegistryDatabase;

  constructor(db: SqliteRegistryDatabase) {
    this.#db = db;
  }

  async set(tenantId: string, at: string, reason: string | null): Promise<void> {
    // One statement: the SELECT yields no row for an unknown tenant, so nothing is written.
    this.#db
      .stmt(
        `INSERT INTO instances (tenant_id, next_wake_at, next_wake_reason) SELECT id, ?, ? FROM tenants WHERE id = ?
           ON CONFLICT (tenant_id) DO UPDATE SET next_wake_at = excluded.next_wake_at, next_wake_reason = excluded.next_wake_reason`,
      )
      .run(at, reason, tenantId);
  }

  async clear(tenantId: string): Promise<boolean> {
    return (
      this.#db
        .stmt(
          `UPDATE instances SET next_wake_at = NULL, next_wake_reason = NULL
             WHERE tenant_id = ? AND next_wake_at IS NOT NULL`,
        )
        .run(tenantId).changes > 0
    );
  }

  async take(tenantId: string, at: string): Promise<boolean> {
    return (
      this.#db
        .stmt(
          `UPDATE instances SET next_wake_at = NULL, next_wake_reason = NULL
             WHERE tenant_id = ? AND next_wake_at = ?`,
        )
        .run(tenantId, at).changes > 0
    );
  }

  async get(tenantId: string): Promise<WakeTimer | undefined> {
    const row = this.#db
      .stmt(
        'SELECT tenant_id, next_wake_at, next_wake_reason FROM instances WHERE tenant_id = ? AND next_wake_at IS NOT NULL',
      )
      .get(tenantId) as WakeRow | undefined;
    return row === undefined ? undefined : toWake(row);
  }

  async pending(): Promise<WakeTimer[]> {
    return (
      this.#db
        .stmt(
          `SELECT i.tenant_id, i.next_wake_at, i.next_wake_reason FROM instances i JOIN tenants t ON t.id = i.tenant_id
             WHERE i.next_wake_at IS NOT NULL AND t.state = 'active' ORDER BY i.next_wake_at`,
        )
        .all() as WakeRow[]
    ).map(toWake);
  }
}

function toWake(row: WakeRow): WakeTimer {
  return { tenantId: row.tenant_id, at: row.next_wake_at, reason: row.next_wake_reason };
}
