import type { Flow } from '../flow/flow-model.js';
import {
  FlowExistsError,
  type FlowRecord,
  type FlowRepository,
  type FlowSearchQuery,
  type FlowSortField,
} from '../ports/flow-repository.js';
import type { SqliteDatabase } from './database.js';
import { type FlowRevisionRow, flowSearchSql, flowStatements } from './flow-sql.js';

const SORT_COLUMNS: Record<FlowSortField, string> = {
  id: 'f.id',
  namespace: 'f.namespace',
  revision: 'f.revision',
  updated: 'f.updated',
};

const toRecord = (row: FlowRevisionRow): FlowRecord => ({
  namespace: row.namespace,
  id: row.id,
  revision: row.revision,
  source: row.source,
  flow: JSON.parse(row.flow_json) as Flow,
  deleted: row.deleted === 1,
  updated: row.updated,
});

/**
 * The flow store on SQLite: `flow_revisions` keeps every revision, `flows`
 * the head of each flow (see migration 0004). Each write is one transaction.
 *
 * @example
 * const repo = new SqliteFlowRepository(openDatabase(file));
 * repo.create(source, parsed.flow, new Date());
 */
export class SqliteFlowRepository implements FlowRepository {
  private readonly sql: ReturnType<typeof flowStatements>;

  /** `get(namespace, id)` answers since the last write (key: namespace NUL id). */
  private readonly current = new Map<string, FlowRecord | undefined>();

  /** Bumped before and after every write (`signature`). */
  private writes = 0;

  constructor(private readonly db: SqliteDatabase) {
    this.sql = flowStatements(db);
  }

  /**
   * A value that changes with every write of a flow through this repository (the only writer of the
   * instance's flows): trigger and webhook indexes rebuild only when it changed. Bumped before and
   * after each write's transaction, so that an index built inside one (or from a rolled-back one) is
   * never taken for the committed state. It replaces an aggregate query over the `flows` table that
   * every execution ran twice (bench/RESULTS-instance.md).
   */
  signature(): string {
    return String(this.writes);
  }

  /** One write: the current-revision cache dropped, `work` in a transaction, the signature bumped around it. */
  private write<T>(work: () => T): T {
    this.current.clear();
    this.writes++;
    try {
      return this.db.transaction(work)();
    } finally {
      this.writes++;
    }
  }

  private save(source: string, flow: Flow, revision: number, now: Date): FlowRecord {
    const stored: Flow = { ...flow, revision };
    const updated = now.toISOString();
    this.sql.insertRevision.run(
      flow.namespace,
      flow.id,
      revision,
      source,
      JSON.stringify(stored),
      0,
      updated,
    );
    this.sql.upsertHead.run(flow.namespace, flow.id, revision, 0, updated, flow.description ?? null);
    return {
      namespace: flow.namespace,
      id: flow.id,
      revision,
      source,
      flow: stored,
      deleted: false,
      updated,
    };
  }

  create(source: string, flow: Flow, now: Date): FlowRecord {
    return this.write(() => {
      const head = this.sql.head.get(flow.namespace, flow.id);
      if (head && head.deleted === 0) throw new FlowExistsError(flow.namespace, flow.id);
      const max = this.sql.maxRevision.get(flow.namespace, flow.id)?.max ?? 0;
      return this.save(source, flow, max + 1, now);
    });
  }

  update(source: string, flow: Flow, now: Date): { record: FlowRecord; changed: boolean } | undefined {
    return this.write(() => {
      const current = this.sql.current.get(flow.namespace, flow.id);
      if (!current || current.deleted === 1) return undefined;
      // Same source and same draft flag (Kestra 2.0): nothing new. Publishing a draft as is makes a revision.
      const sameDraft = (toRecord(current).flow.draft ?? false) === (flow.draft ?? false);
      if (current.source === source && sameDraft) return { record: toRecord(current), changed: false };
      const max = this.sql.maxRevision.get(flow.namespace, flow.id)?.max ?? 0;
      return { record: this.save(source, flow, max + 1, now), changed: true };
    });
  }

  get(namespace: string, id: string, options: { revision?: number; allowDeleted?: boolean } = {}) {
    if (options.revision !== undefined || options.allowDeleted) return this.read(namespace, id, options);
    // The current revision, asked by every execution the API creates: remembered until the next
    // write through this repository (the only writer of the instance's flows), outside transactions.
    const key = `${namespace}\u0000${id}`;
    if (this.current.has(key)) return this.current.get(key);
    const record = this.read(namespace, id, options);
    if (!this.db.inTransaction) {
      if (this.current.size >= 1_000) this.current.clear();
      this.current.set(key, record);
    }
    return record;
  }

  private read(namespace: string, id: string, options: { revision?: number; allowDeleted?: boolean }) {
    const head = this.sql.head.get(namespace, id);
    if (!head || (head.deleted === 1 && !options.allowDeleted)) return undefined;
    const row =
      options.revision === undefined
        ? this.sql.current.get(namespace, id)
        : this.sql.revision.get(namespace, id, options.revision);
    return row ? toRecord(row) : undefined;
  }

  revisions(namespace: string, id: string): FlowRecord[] {
    return this.sql.revisions.all(namespace, id).map(toRecord);
  }

  delete(namespace: string, id: string, now: Date): boolean {
    return this.write(() => {
      const changed = this.sql.markDeleted.run(now.toISOString(), namespace, id).changes > 0;
      const head = this.sql.head.get(namespace, id);
      if (changed && head) this.sql.markRevisionDeleted.run(namespace, id, head.revision);
      return changed;
    });
  }

  listByNamespace(namespace: string): FlowRecord[] {
    return this.search({
      namespaceEquals: namespace,
      size: Number.MAX_SAFE_INTEGER,
      sort: [{ field: 'id', order: 'asc' }],
    }).results;
  }

  search(query: FlowSearchQuery): { results: FlowRecord[]; total: number } {
    const size = Math.max(1, Math.min(query.size ?? 10, 1_000_000));
    const page = Math.max(1, query.page ?? 1);
    const sort =
      query.sort && query.sort.length > 0
        ? query.sort
        : [
            { field: 'namespace' as const, order: 'asc' as const },
            { field: 'id' as const, order: 'asc' as const },
          ];
    const orderBy = sort
      .map((s) => `${SORT_COLUMNS[s.field]} ${s.order === 'desc' ? 'DESC' : 'ASC'}`)
      .join(', ');
    const sql = flowSearchSql({
      namespacePrefix: query.namespace,
      namespaceEquals: query.namespaceEquals,
      q: query.q,
      sourceContains: query.sourceContains,
      orderBy,
      limit: size,
      offset: (page - 1) * size,
    });
    const rows = this.db.prepare<unknown[], FlowRevisionRow>(sql.page).all(...sql.params);
    const total = this.db.prepare<unknown[], { total: number }>(sql.count).get(...sql.params)?.total ?? 0;
    return { results: rows.map(toRecord), total };
  }

  namespaces(q?: string): string[] {
    const pattern = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : '%';
    return this.sql.namespaces.all(pattern).map((r) => r.namespace);
  }

  listAll(): FlowRecord[] {
    return this.sql.allLive.all().map(toRecord);
  }
}
