import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

type S<P extends unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;

/** The prepared statements of the flow store. */
export type FlowStatements = {
  head: S<[string, string], { revision: number; deleted: number }>;
  insertRevision: S<unknown[]>;
  upsertHead: S<unknown[]>;
  markDeleted: S<unknown[]>;
  markRevisionDeleted: S<unknown[]>;
  current: S<[string, string], FlowRevisionRow>;
  revision: S<[string, string, number], FlowRevisionRow>;
  revisions: S<[string, string], FlowRevisionRow>;
  maxRevision: S<[string, string], { max: number | null }>;
  allLive: S<[], FlowRevisionRow>;
  namespaces: S<[string], { namespace: string }>;
};

/** A row of `flow_revisions`. */
export type FlowRevisionRow = {
  namespace: string;
  id: string;
  revision: number;
  source: string;
  flow_json: string;
  deleted: number;
  updated: string;
};

const REVISION_COLUMNS = 'r.namespace, r.id, r.revision, r.source, r.flow_json, r.deleted, r.updated';

/**
 * The SQL of the flow store, visible in one place and prepared once per
 * connection. Each statement's header names its parameters.
 */
export function flowStatements(db: SqliteDatabase): FlowStatements {
  return {
    /** (namespace, id) → the head row of `flows`, deleted or not. */
    head: db.prepare<[string, string], { revision: number; deleted: number }>(
      'SELECT revision, deleted FROM flows WHERE namespace = ? AND id = ?',
    ),
    /** (namespace, id, revision, source, flow_json, deleted, updated) → inserts one revision. */
    insertRevision: db.prepare(
      'INSERT INTO flow_revisions (namespace, id, revision, source, flow_json, deleted, updated) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    /** (namespace, id, revision, deleted, updated, description) → sets the head of a flow. */
    upsertHead: db.prepare(
      `INSERT INTO flows (namespace, id, revision, deleted, updated, description) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, id) DO UPDATE SET revision = excluded.revision, deleted = excluded.deleted,
         updated = excluded.updated, description = excluded.description`,
    ),
    /** (updated, namespace, id) → soft-deletes the head and its revision row; changes 0 when not live. */
    markDeleted: db.prepare(
      'UPDATE flows SET deleted = 1, updated = ? WHERE namespace = ? AND id = ? AND deleted = 0',
    ),
    /** (namespace, id, revision) → marks the head revision deleted too. */
    markRevisionDeleted: db.prepare(
      'UPDATE flow_revisions SET deleted = 1 WHERE namespace = ? AND id = ? AND revision = ?',
    ),
    /** (namespace, id) → the current revision row. */
    current: db.prepare<[string, string], FlowRevisionRow>(
      `SELECT ${REVISION_COLUMNS} FROM flows f JOIN flow_revisions r
         ON r.namespace = f.namespace AND r.id = f.id AND r.revision = f.revision
       WHERE f.namespace = ? AND f.id = ?`,
    ),
    /** (namespace, id, revision) → one revision row. */
    revision: db.prepare<[string, string, number], FlowRevisionRow>(
      `SELECT ${REVISION_COLUMNS} FROM flow_revisions r WHERE r.namespace = ? AND r.id = ? AND r.revision = ?`,
    ),
    /** (namespace, id) → all revision rows, oldest first. */
    revisions: db.prepare<[string, string], FlowRevisionRow>(
      `SELECT ${REVISION_COLUMNS} FROM flow_revisions r WHERE r.namespace = ? AND r.id = ? ORDER BY r.revision`,
    ),
    /** (namespace, id) → the highest revision ever saved (deleted or not). */
    maxRevision: db.prepare<[string, string], { max: number | null }>(
      'SELECT MAX(revision) AS max FROM flow_revisions WHERE namespace = ? AND id = ?',
    ),
    /** () → the current revision of every live flow. */
    allLive: db.prepare<[], FlowRevisionRow>(
      `SELECT ${REVISION_COLUMNS} FROM flows f JOIN flow_revisions r
         ON r.namespace = f.namespace AND r.id = f.id AND r.revision = f.revision
       WHERE f.deleted = 0 ORDER BY f.namespace, f.id`,
    ),
    /** (like) → distinct namespaces of live flows matching a LIKE pattern. */
    namespaces: db.prepare<[string], { namespace: string }>(
      "SELECT DISTINCT namespace FROM flows WHERE deleted = 0 AND namespace LIKE ? ESCAPE '\\' ORDER BY namespace",
    ),
  };
}

/**
 * Builds the live-flow search: a WHERE clause from the filters, an ORDER BY
 * from a whitelist of columns, LIMIT/OFFSET. Returns the page query and the
 * count query with their parameters.
 */
export function flowSearchSql(filter: {
  namespacePrefix?: string;
  namespaceEquals?: string;
  q?: string;
  sourceContains?: string;
  orderBy: string;
  limit: number;
  offset: number;
}): { page: string; count: string; params: unknown[] } {
  const where = ['f.deleted = 0'];
  const params: unknown[] = [];
  const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (filter.namespacePrefix !== undefined) {
    where.push("(f.namespace = ? OR f.namespace LIKE ? ESCAPE '\\')");
    params.push(filter.namespacePrefix, `${filter.namespacePrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`);
  }
  if (filter.namespaceEquals !== undefined) {
    where.push('f.namespace = ?');
    params.push(filter.namespaceEquals);
  }
  if (filter.q !== undefined && filter.q !== '') {
    where.push(
      "(f.id LIKE ? ESCAPE '\\' OR f.namespace LIKE ? ESCAPE '\\' OR f.description LIKE ? ESCAPE '\\')",
    );
    params.push(like(filter.q), like(filter.q), like(filter.q));
  }
  if (filter.sourceContains !== undefined && filter.sourceContains !== '') {
    where.push("r.source LIKE ? ESCAPE '\\'");
    params.push(like(filter.sourceContains));
  }
  const from = `FROM flows f JOIN flow_revisions r ON r.namespace = f.namespace AND r.id = f.id AND r.revision = f.revision
    WHERE ${where.join(' AND ')}`;
  return {
    page: `SELECT ${REVISION_COLUMNS} ${from} ORDER BY ${filter.orderBy} LIMIT ${filter.limit} OFFSET ${filter.offset}`,
    count: `SELECT COUNT(*) AS total ${from}`,
    params,
  };
}
