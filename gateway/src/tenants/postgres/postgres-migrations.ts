/**
 * The PostgreSQL registry's schema, applied in order and recorded in
 * `silo_registry_migrations` (one row per applied entry). Append-only: never
 * edit or reorder an entry (STYLE.md rule 7). Same tables as the SQLite
 * registry (`sqlite/registry-migrations.ts`) with PostgreSQL types, plus the
 * triggers that tell every gateway which cached entries a commit made stale.
 */
export const POSTGRES_REGISTRY_MIGRATIONS: readonly string[] = [
  // 0001: tenants, keys, secrets, instance facts and wake timers.
  `CREATE TABLE tenants (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('active', 'suspended')),
     suspended_reason TEXT,
     limits JSONB NOT NULL DEFAULT '{}',
     created_at TIMESTAMPTZ NOT NULL,
     updated_at TIMESTAMPTZ NOT NULL
   );
   CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     prefix TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     created_at TIMESTAMPTZ NOT NULL,
     last_used_at TIMESTAMPTZ,
     revoked_at TIMESTAMPTZ
   );
   CREATE INDEX api_keys_prefix ON api_keys(prefix);
   CREATE INDEX api_keys_tenant ON api_keys(tenant_id);
   CREATE TABLE secrets (
     tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     value TEXT NOT NULL,
     updated_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (tenant_id, name)
   );
   CREATE TABLE instances (
     tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
     cold_starts INTEGER NOT NULL DEFAULT 0,
     started_at TIMESTAMPTZ,
     last_activity_at TIMESTAMPTZ,
     last_error TEXT,
     last_start_ms INTEGER
   );
   CREATE TABLE wake_timers (
     tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
     at TIMESTAMPTZ NOT NULL,
     reason TEXT
   );
   CREATE INDEX wake_timers_at ON wake_timers(at);`,
  // 0002: NOTIFY silo_registry on every change that a gateway's auth cache may hold
  // ('tenant:<id>' on suspend, resume, delete; 'key:<id>' on revoke), delivered at commit.
  `CREATE FUNCTION silo_notify_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM pg_notify('silo_registry', 'tenant:' || OLD.id);
     RETURN NULL;
   END $$;
   CREATE TRIGGER tenants_notify AFTER UPDATE OR DELETE ON tenants
     FOR EACH ROW EXECUTE FUNCTION silo_notify_tenant();
   CREATE FUNCTION silo_notify_key() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM pg_notify('silo_registry', 'key:' || OLD.id);
     RETURN NULL;
   END $$;
   CREATE TRIGGER api_keys_notify AFTER UPDATE OF revoked_at OR DELETE ON api_keys
     FOR EACH ROW EXECUTE FUNCTION silo_notify_key();`,
  // 0003: instance leases (one owner per tenant's instance across the fleet) and
  // 'wake' notifications, so every gateway re-arms its wake scheduler.
  `CREATE TABLE instance_leases (
     tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
     holder TEXT NOT NULL,
     fence BIGINT NOT NULL,
     expires_at TIMESTAMPTZ NOT NULL,
     run JSONB,
     active_at TIMESTAMPTZ
   );
   CREATE INDEX instance_leases_holder ON instance_leases(holder);
   CREATE FUNCTION silo_notify_wake() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM pg_notify('silo_registry', 'wake:' || COALESCE(NEW.tenant_id, OLD.tenant_id));
     RETURN NULL;
   END $$;
   CREATE TRIGGER wake_timers_notify AFTER INSERT OR UPDATE OR DELETE ON wake_timers
     FOR EACH ROW EXECUTE FUNCTION silo_notify_wake();`,
  // 0004: hashed webhook keys from the instances' reports (issue 12 §3), as the SQLite
  // registry's webhook_keys/webhook_reports; tenant limits live in tenants.limits (0001).
  `CREATE TABLE webhook_reports (
     tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
     reported_at TIMESTAMPTZ NOT NULL
   );
   CREATE TABLE webhook_keys (
     tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
     hash TEXT NOT NULL,
     PRIMARY KEY (tenant_id, hash)
   );`,
  // 0005: the tenant's Kestra dialect (issue 14; rows that existed before speak 1.3) and
  // its pinned orchestrator version (issue 16 §4), as the SQLite registry's columns.
  // IF NOT EXISTS: a branch that adds one of them alone merges without harm.
  `ALTER TABLE tenants ADD COLUMN IF NOT EXISTS kestra_version TEXT NOT NULL DEFAULT '1.3'
     CHECK (kestra_version IN ('1.3', '2.0'));
   ALTER TABLE tenants ADD COLUMN IF NOT EXISTS version TEXT;`,
  // 0006: periodic per-tenant jobs a fleet shares (scheduled backups): who took the
  // current period's run, and when; one winner per period (PostgresJobClaimStore).
  `CREATE TABLE job_claims (
     tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
     job TEXT NOT NULL,
     holder TEXT NOT NULL,
     taken_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (tenant_id, job)
   );`,
];

/** The channel the triggers of migration 0002 notify on. */
export const REGISTRY_CHANNEL = 'silo_registry';
