import {
  INSTANCE_FACT_COLUMNS,
  type InstanceFactStore,
  type InstanceFacts,
  type InstanceFactsPatch,
} from '../instance-fact-store.js';
import { isoOf, type PostgresDatabase, type SqlValue } from './postgres-database.js';

type FactRow = {
  cold_starts: number;
  started_at: Date | null;
  last_activity_at: Date | null;
  last_error: string | null;
  last_start_ms: number | null;
};

const COLUMNS = INSTANCE_FACT_COLUMNS;

/**
 * `InstanceFactStore` on PostgreSQL: one row per tenant in `instances`,
 * created on the first write (one upsert, nothing for an unknown tenant).
 *
 * @example
 * const instances = new PostgresInstanceFactStore(db);
 * await instances.update('acme', { lastError: null, lastStartMs: 840 });
 */
export class PostgresInstanceFactStore implements InstanceFactStore {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async get(tenantId: string): Promise<InstanceFacts> {
    const { rows } = await this.#db.query<FactRow>(
      'SELECT cold_starts, started_at, last_activity_at, last_error, last_start_ms FROM instances WHERE tenant_id = $1',
      [tenantId],
    );
    const row = rows[0];
    return {
      tenantId,
      coldStarts: row?.cold_starts ?? 0,
      startedAt: isoOf(row?.started_at ?? null),
      lastActivityAt: isoOf(row?.last_activity_at ?? null),
      lastError: row?.last_error ?? null,
      lastStartMs: row?.last_start_ms ?? null,
    };
  }

  async update(tenantId: string, patch: InstanceFactsPatch): Promise<void> {
    const entries = Object.entries(patch).filter(([k, v]) => k in COLUMNS && v !== undefined) as [
      keyof InstanceFactsPatch,
      SqlValue,
    ][];
    const columns = entries.map(([k]) => COLUMNS[k]);
    const values = entries.map(([, v]) => v);
    const placeholders = columns.map((_, i) => `$${i + 2}`);
    const onConflict =
      columns.length === 0
        ? 'DO NOTHING'
        : `DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}`;
    await this.#db.query(
      `INSERT INTO instances (tenant_id${columns.map((c) => `, ${c}`).join('')})
         SELECT id${placeholders.map((p) => `, ${p}`).join('')} FROM tenants WHERE id = $1
         ON CONFLICT (tenant_id) ${onConflict}`,
      [tenantId, ...values],
    );
  }
}
