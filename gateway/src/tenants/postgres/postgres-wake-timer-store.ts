import type { WakeTimer, WakeTimerStore } from '../wake-timer-store.js';
import type { PostgresDatabase } from './postgres-database.js';
import type { RegistryListener } from './registry-listener.js';

type WakeRow = { tenant_id: string; at: Date; reason: string | null };

/**
 * `WakeTimerStore` on PostgreSQL (`wake_timers`, one row per tenant). `take`
 * is one guarded `DELETE … WHERE at = $2`: of all the gateways firing the
 * same timer, exactly one deletes the row and starts the tenant.
 *
 * @example
 * const wakeTimers = new PostgresWakeTimerStore(db);
 * await wakeTimers.set('acme', '2030-01-01T00:00:00.000Z', 'schedule:nightly');
 */
export class PostgresWakeTimerStore implements WakeTimerStore {
  readonly #db: PostgresDatabase;
  readonly #listener: RegistryListener | undefined;

  constructor(db: PostgresDatabase, listener?: RegistryListener) {
    this.#db = db;
    this.#listener = listener;
  }

  /** Every gateway's timer changes, through the registry listener's `NOTIFY` (migration 0003). */
  watch(onChange: () => void): () => void {
    return this.#listener?.watchWakes(onChange) ?? (() => undefined);
  }

  async set(tenantId: string, at: string, reason: string | null): Promise<void> {
    await this.#db.query(
      `INSERT INTO wake_timers (tenant_id, at, reason) SELECT id, $2, $3 FROM tenants WHERE id = $1
         ON CONFLICT (tenant_id) DO UPDATE SET at = excluded.at, reason = excluded.reason`,
      [tenantId, at, reason],
    );
  }

  async clear(tenantId: string): Promise<boolean> {
    return (
      ((await this.#db.query('DELETE FROM wake_timers WHERE tenant_id = $1', [tenantId])).rowCount ?? 0) > 0
    );
  }

  async take(tenantId: string, at: string): Promise<boolean> {
    const result = await this.#db.query('DELETE FROM wake_timers WHERE tenant_id = $1 AND at = $2', [
      tenantId,
      at,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async get(tenantId: string): Promise<WakeTimer | undefined> {
    const { rows } = await this.#db.query<WakeRow>(
      'SELECT tenant_id, at, reason FROM wake_timers WHERE tenant_id = $1',
      [tenantId],
    );
    return rows[0] === undefined ? undefined : toWake(rows[0]);
  }

  async pending(): Promise<WakeTimer[]> {
    const { rows } = await this.#db.query<WakeRow>(
      `SELECT w.tenant_id, w.at, w.reason FROM wake_timers w JOIN tenants t ON t.id = w.tenant_id
         WHERE t.state = 'active' ORDER BY w.at, w.tenant_id`,
    );
    return rows.map(toWake);
  }
}

function toWake(row: WakeRow): WakeTimer {
  return { tenantId: row.tenant_id, at: row.at.toISOString(), reason: row.reason };
}
