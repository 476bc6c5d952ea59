/**
 * The registry's schema, applied in order under `PRAGMA user_version`.
 * Append-only: never edit or reorder an entry (STYLE.md rule 7).
 */
export const REGISTRY_MIGRATIONS: readonly string[] = [
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
];
