import type { SqliteDatabase } from './database.js';

/**
 * A value that changes whenever a flow is created, updated or deleted
 * (count, revisions, deletions and the latest update of `flows`). Used to
 * rebuild trigger indexes only when flows changed.
 *
 * @example
 * const signature = flowsSignature(db); signature(); // "3|7|0|2026-01-01T00:00:00.000Z"
 */
export function flowsSignature(db: SqliteDatabase): () => string {
  // Parameters: none.
  const stmt = db.prepare(
    'SELECT count(*) AS n, total(revision) AS r, total(deleted) AS d, max(updated) AS u FROM flows',
  );
  return () => {
    const row = stmt.get() as { n: number; r: number; d: number; u: string | null };
    return `${row.n}|${row.r}|${row.d}|${row.u ?? ''}`;
  };
}
