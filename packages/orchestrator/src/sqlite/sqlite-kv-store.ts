import type Database from 'better-sqlite3';
import { KvError } from '../kv/kv-errors.js';
import { inferKvType, isKvType, type KvType, validateKey, validateNamespace } from '../kv/kv-value.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { KvEntry, KvPurgeFilter, KvRecord, KvSetOptions, KvStore } from '../ports/kv-store.js';

/** 1 MiB: Kestra keeps KV values in internal storage with no limit; we keep them in SQLite rows. */
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;

export type SqliteKvStoreOptions = {
  /** Largest serialised (JSON, UTF-8) value accepted. @default 1048576 (1 MiB) */
  maxValueBytes?: number;
  /** Injected time source (tests use a manual clock). @default systemClock */
  clock?: Clock;
  /** Called with a value's size before it is written; throws to refuse it (the storage quota). */
  beforeWrite?: (bytes: number, what: string) => void;
};

type Row = {
  namespace: string;
  key: string;
  value: string;
  type: string;
  revision: number;
  description: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
};

/** SELECT one row by (namespace, key), expired or not. */
function selectEntry(db: Database.Database, namespace: string, key: string): Row | undefined {
  return db.prepare('SELECT * FROM kv_entries WHERE namespace = ? AND key = ?').get(namespace, key) as
    | Row
    | undefined;
}

/** SELECT live rows of a namespace (`now` ISO), sorted by key. */
function selectLiveEntries(db: Database.Database, namespace: string, now: string): Row[] {
  return db
    .prepare(
      'SELECT * FROM kv_entries WHERE namespace = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key',
    )
    .all(namespace, now) as Row[];
}

/** UPSERT (namespace, key, value, type, description, now, expiresAt): revision +1 and created_at kept on overwrite, unless the old row had expired. */
function upsertEntry(
  db: Database.Database,
  p: {
    namespace: string;
    key: string;
    value: string;
    type: KvType;
    description: string | null;
    now: string;
    expiresAt: string | null;
  },
): Row {
  return db
    .prepare(
      `INSERT INTO kv_entries (namespace, key, value, type, revision, description, created_at, updated_at, expires_at)
       VALUES (@namespace, @key, @value, @type, 1, @description, @now, @now, @expiresAt)
       ON CONFLICT (namespace, key) DO UPDATE SET
         value = excluded.value, type = excluded.type,
         revision = CASE WHEN kv_entries.expires_at IS NOT NULL AND kv_entries.expires_at <= @now
                         THEN 1 ELSE kv_entries.revision + 1 END,
         description = excluded.description, updated_at = excluded.updated_at, expires_at = excluded.expires_at,
         created_at = CASE WHEN kv_entries.expires_at IS NOT NULL AND kv_entries.expires_at <= @now
                           THEN excluded.created_at ELSE kv_entries.created_at END
       RETURNING *`,
    )
    .get(p) as Row;
}

/** DELETE (namespace, key); returns the number of rows removed. */
function deleteEntry(db: Database.Database, namespace: string, key: string): number {
  return db.prepare('DELETE FROM kv_entries WHERE namespace = ? AND key = ?').run(namespace, key).changes;
}

/** DELETE rows whose expires_at <= now. */
function deleteExpired(db: Database.Database, now: string): number {
  return db.prepare('DELETE FROM kv_entries WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now)
    .changes;
}

/**
 * The KV store in the instance's SQLite file (table `kv_entries`). One row per
 * (namespace, key); the value is JSON text. Implements the task-facing
 * `KvService` and the API-facing `KvStore`.
 *
 * @example
 * const kv = new SqliteKvStore(db);
 * kv.set('company.team', 'last_run', '2024-01-01T00:00:00Z', { type: 'DATETIME' });
 * kv.keys('company.team', 'last'); // ['last_run']
 */
export class SqliteKvStore implements KvStore {
  private readonly maxValueBytes: number;
  private readonly now: () => Date;
  private readonly beforeWrite: (bytes: number, what: string) => void;

  constructor(
    private readonly db: Database.Database,
    {
      maxValueBytes = DEFAULT_MAX_VALUE_BYTES,
      clock = systemClock,
      beforeWrite = () => undefined,
    }: SqliteKvStoreOptions = {},
  ) {
    this.maxValueBytes = maxValueBytes;
    this.now = () => clock.now();
    this.beforeWrite = beforeWrite;
  }

  get(
    namespace: string,
    key: string,
  ): { value: unknown; type: string; expiresAt: string | null } | undefined {
    const record = this.getRecord(namespace, key);
    return record && { value: record.value, type: record.type, expiresAt: record.expiresAt };
  }

  getRecord(namespace: string, key: string): KvRecord | undefined {
    validateKey(namespace, key);
    const row = selectEntry(this.db, namespace, key);
    if (row === undefined) return undefined;
    if (this.isExpired(row)) {
      deleteEntry(this.db, namespace, key);
      return undefined;
    }
    return { ...toEntry(row), value: JSON.parse(row.value) as unknown };
  }

  set(namespace: string, key: string, value: unknown, options: KvSetOptions = {}): KvEntry {
    validateNamespace(namespace);
    validateKey(namespace, key);
    const type = this.resolveType(namespace, key, value, options.type);
    const json = JSON.stringify(value === undefined ? null : value);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > this.maxValueBytes) {
      throw new KvError(
        'KV_VALUE_TOO_LARGE',
        `The value of key '${key}' in namespace '${namespace}' is ${bytes} bytes, over the limit of ${this.maxValueBytes} bytes`,
        namespace,
        key,
      );
    }
    this.beforeWrite(bytes + Buffer.byteLength(key), `the KV value '${key}' of namespace '${namespace}'`);
    const now = this.now();
    if (options.ttlMs !== undefined && (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0)) {
      throw new KvError(
        'KV_INVALID_VALUE',
        `Invalid ttl for key '${key}': it must be a positive duration`,
        namespace,
        key,
      );
    }
    const expiresAt =
      options.ttlMs === undefined ? null : new Date(now.getTime() + options.ttlMs).toISOString();
    return this.db.transaction(() => {
      if (options.overwrite === false) {
        const existing = selectEntry(this.db, namespace, key);
        if (existing !== undefined && !this.isExpired(existing)) {
          throw new KvError(
            'KV_KEY_EXISTS',
            `Cannot set value for key '${key}'. Key already exists and \`overwrite\` is set to \`false\`.`,
            namespace,
            key,
          );
        }
      }
      const row = upsertEntry(this.db, {
        namespace,
        key,
        value: json,
        type,
        description: options.description ?? null,
        now: now.toISOString(),
        expiresAt,
      });
      return toEntry(row);
    })();
  }

  delete(namespace: string, key: string): boolean {
    validateKey(namespace, key);
    const row = selectEntry(this.db, namespace, key);
    if (row === undefined) return false;
    deleteEntry(this.db, namespace, key);
    return !this.isExpired(row);
  }

  keys(namespace: string, prefix?: string): string[] {
    const keys = this.list(namespace).map((e) => e.key);
    return prefix === undefined || prefix === '' ? keys : keys.filter((k) => k.startsWith(prefix));
  }

  list(namespace: string): KvEntry[] {
    return selectLiveEntries(this.db, namespace, this.now().toISOString()).map(toEntry);
  }

  namespaces(): string[] {
    const rows = this.db
      .prepare(
        'SELECT DISTINCT namespace FROM kv_entries WHERE expires_at IS NULL OR expires_at > ? ORDER BY namespace',
      )
      .all(this.now().toISOString()) as Array<{ namespace: string }>;
    return rows.map((r) => r.namespace);
  }

  purgeExpired(): number {
    return deleteExpired(this.db, this.now().toISOString());
  }

  purge(f: KvPurgeFilter): number {
    const where: string[] = [];
    const args: string[] = [];
    const ns = f.namespaces.map((n) => {
      args.push(n);
      if (!f.includeChildNamespaces) return 'namespace = ?';
      args.push(`${n.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`);
      return "(namespace = ? OR namespace LIKE ? ESCAPE '\\')";
    });
    if (ns.length === 0) return 0;
    where.push(`(${ns.join(' OR ')})`);
    if (f.expiredOnly) {
      where.push('expires_at IS NOT NULL AND expires_at <= ?');
      args.push(this.now().toISOString());
    }
    if (f.keyPattern !== undefined) {
      where.push('key GLOB ?');
      args.push(f.keyPattern.replace(/[[\]]/g, (c) => `[${c}]`));
    }
    return this.db.prepare(`DELETE FROM kv_entries WHERE ${where.join(' AND ')}`).run(...args).changes;
  }

  private isExpired(row: Row): boolean {
    return row.expires_at !== null && row.expires_at <= this.now().toISOString();
  }

  private resolveType(namespace: string, key: string, value: unknown, type: string | undefined): KvType {
    if (type === undefined) return inferKvType(value);
    if (!isKvType(type)) {
      throw new KvError(
        'KV_INVALID_VALUE',
        `Invalid kvType '${type}' for key '${key}': expected one of STRING, NUMBER, BOOLEAN, DATETIME, DATE, DURATION, JSON`,
        namespace,
        key,
      );
    }
    return type;
  }
}

function toEntry(row: Row): KvEntry {
  return {
    namespace: row.namespace,
    key: row.key,
    type: row.type as KvType,
    revision: row.revision,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  };
}
