import {
  INSTANCE_FACT_COLUMNS,
  type InstanceFactStore,
  type InstanceFacts,
  type InstanceFactsPatch,
} from '../instance-fact-store.js';
import type { SqliteRegistryDatabase } from './registry-database.js';

type FactRow = {
  cold_starts: number;
  started_at: string | null;
  last_activity_at: string | null;
  last_error: string | null;
  last_start_ms: number | null;
};

const COLUMNS = INSTANCE_FACT_COLUMNS;

/**
 * `InstanceFactStore` on the registry's SQLite file: one row per tenant in
 * `instances`, created on the first write.
 *
 * @example
 * const instances = new SqliteInstanceFactStore(db);
 * instances.update('acme', { lastError: null, lastStartMs: 840 });
 */
export class SqliteInstanceFactStore implements InstanceFactStore {
  readonly #db: SqliteRegistryDatabase;

  constructor(db: SqliteRegistryDatabase) {
    this.#db = db;
  }

  async get(tenantId: string): Promise<InstanceFacts> {
    const row = this.#db
      .stmt(
        'SELECT cold_starts, started_at, last_activity_at, last_error, last_start_ms FROM instances WHERE tenant_id = ?',
      )
      .get(tenantId) as FactRow | undefined;
    return {
      tenantId,
      coldStarts: row?.cold_starts ?? 0,
      startedAt: row?.started_at ?? null,
      lastActivityAt: row?.last_activity_at ?? null,
      lastError: row?.last_error ?? null,
      lastStartMs: row?.last_start_ms ?? null,
    };
  }

  async update(tenantId: string, patch: InstanceFactsPatch): Promise<void> {
    const entries = Object.entries(patch).filter(([k, v]) => k in COLUMNS && v !== undefined) as [
      keyof InstanceFactsPatch,
      string | number | null,
    ][];
    this.#db.transaction(() => {
      if (!this.#db.tenantExists(tenantId)) return;
      this.#db.stmt('INSERT OR IGNORE INTO instances (tenant_id) VALUES (?)').run(tenantId);
      if (entries.length === 0) return;
      const sets = entries.map(([k]) => `${COLUMNS[k]} = ?`).join(', ');
      this.#db
        .stmt(`UPDATE instances SET ${sets} WHERE tenant_id = ?`)
        .run(...entries.map(([, v]) => v), tenantId);
    });
  }
}
