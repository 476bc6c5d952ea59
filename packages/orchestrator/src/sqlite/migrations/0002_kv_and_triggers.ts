/**
 * KV store and Schedule trigger state. Append-only: never edit a migration that has shipped.
 *
 * - `kv_entries`: one row per (namespace, key); `value` is JSON text; dates are
 *   ISO-8601 UTC text (they sort as they compare); `expires_at` NULL = no TTL.
 * - `trigger_state`: per (namespace, flow, trigger) the scheduler's memory:
 *   last fire, next fire, disabled (by `stopAfter` or by hand), and the
 *   fingerprint of the schedule it was computed from (a changed cron resets it).
 * - `trigger_fires`: one row per fire ever recorded; the UNIQUE key is the
 *   idempotency key (flow, trigger, fire time), so a fire is never recorded twice.
 */
export default /* sql */ `
CREATE TABLE kv_entries (
  namespace   TEXT NOT NULL,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  type        TEXT NOT NULL CHECK (type IN ('STRING','NUMBER','BOOLEAN','DATETIME','DATE','DURATION','JSON')),
  revision    INTEGER NOT NULL DEFAULT 1,
  description TEXT,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  expires_at  TEXT,
  PRIMARY KEY (namespace, key)
) STRICT;

CREATE INDEX kv_entries_expires_at ON kv_entries (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE trigger_state (
  namespace    TEXT NOT NULL,
  flow_id      TEXT NOT NULL,
  trigger_id   TEXT NOT NULL,
  fingerprint  TEXT NOT NULL,
  last_fire_at TEXT,
  next_fire_at TEXT,
  disabled     INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (namespace, flow_id, trigger_id)
) STRICT;

CREATE TABLE trigger_fires (
  namespace    TEXT NOT NULL,
  flow_id      TEXT NOT NULL,
  trigger_id   TEXT NOT NULL,
  fire_at      TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  recorded_at  TEXT NOT NULL,
  UNIQUE (namespace, flow_id, trigger_id, fire_at)
) STRICT;
`;
