import type Database from 'better-sqlite3';
import type {
  ConditionWindow,
  ConditionWindowKey,
  ConditionWindowStore,
} from '../ports/condition-windows.js';

type Row = { start_at: string; end_at: string; results: string };

/** The multiple-condition windows in the `condition_windows` table (migration 0005). */
export class SqliteConditionWindowStore implements ConditionWindowStore {
  constructor(private readonly db: Database.Database) {}

  get(k: ConditionWindowKey): ConditionWindow | undefined {
    const row = this.db
      .prepare(
        'SELECT start_at, end_at, results FROM condition_windows WHERE namespace = ? AND flow_id = ? AND condition_id = ?',
      )
      .get(k.namespace, k.flowId, k.conditionId) as Row | undefined;
    return row && { start: row.start_at, end: row.end_at, results: JSON.parse(row.results) };
  }

  save(k: ConditionWindowKey, w: ConditionWindow): void {
    this.db
      .prepare(
        `INSERT INTO condition_windows (namespace, flow_id, condition_id, start_at, end_at, results)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (namespace, flow_id, condition_id) DO UPDATE SET
           start_at = excluded.start_at, end_at = excluded.end_at, results = excluded.results`,
      )
      .run(k.namespace, k.flowId, k.conditionId, w.start, w.end, JSON.stringify(w.results));
  }

  delete(k: ConditionWindowKey): void {
    this.db
      .prepare('DELETE FROM condition_windows WHERE namespace = ? AND flow_id = ? AND condition_id = ?')
      .run(k.namespace, k.flowId, k.conditionId);
  }
}
