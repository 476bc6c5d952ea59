import type Database from 'better-sqlite3';

/**
 * One step of the registry's schema: SQL, or a function for a step SQLite
 * cannot say idempotently in SQL (`ALTER TABLE ADD COLUMN` has no
 * `IF NOT EXISTS`).
 */
export type RegistryMigration = string | ((db: Database.Database) => void);

/** Adds `column` to `table` unless it is there already. */
function addColumnIfMissing(db: Database.Database, table: string, column: string, definition: string): void {
  const columns = db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[];
  if (!columns.includes(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
}

/**
 * The registry's schema, applied in order under `PRAGMA user_version`.
 * Append-only: never edit or reorder an entry (STYLE.md rule 7). Entries 2
 * and 3 are the PostgreSQL registry's 0004 and 0005; before they were
 * numbered, the stores created them ad hoc on a registry at version 1, so
 * both are idempotent: such a file migrates to 3 without a change.
 */
export const REGISTRY_MIGRATIONS: readonly RegistryMigration[] = [
  `CREATE TABLE tenants (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('active', 'suspended')),
     suspended_reason TEXT,
     limits TEXT NOT NULL DEFAULT '{}',
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     prefix TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL,
     last_used_at TEXT,
     revoked_at TEXT
   );
   CREATE INDEX api_keys_prefix ON api_keys(prefix);
   CREATE TABLE secrets (
     tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     value TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (tenant_id, name)
   );
   CREATE TABLE instances (
     tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
     cold_starts INTEGER NOT NULL DEFAULT 0,
     started_at TEXT,
     last_activity_at TEXT,
     next_wake_at TEXT,
     next_wake_reason TEXT,
     last_error TEXT,
     last_start_ms INTEGER
   );`,
  // 2: hashed webhook keys from the instances' reports (issue 12 §3); `webhook_reports` records
  // that a tenant reported at all, so that "reported none" and "never reported" differ.
  `CREATE TABLE IF NOT EXISTS webhook_reports (
     tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
     reported_at TEXT NOT NULL
   );
   CREATE TABLE IF NOT EXISTS webhook_keys (
     tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
     hash TEXT NOT NULL,
     PRIMARY KEY (tenant_id, hash)
   ) WITHOUT ROWID;`,
  // 3: the tenant's Kestra dialect (issue 14; rows that existed before speak 1.3) and its
  // pinned orchestrator version (issue 16 §4).
  (db) => {
    addColumnIfMissing(
      db,
      'tenants',
      'kestra_version',
      `TEXT NOT NULL DEFAULT '1.3' CHECK (kestra_version IN ('1.3', '2.0'))`,
    );
    addColumnIfMissing(db, 'tenants', 'version', 'TEXT');
  },
];
