/**
 * 0003: executions, task runs, logs, and the engine's durable queues
 * (executor events, worker jobs with leases, timers). Append-only.
 */
export default /* sql */ `
CREATE TABLE executions (
  id            TEXT PRIMARY KEY,
  namespace     TEXT NOT NULL,
  flow_id       TEXT NOT NULL,
  flow_revision INTEGER NOT NULL,
  state         TEXT NOT NULL,
  -- 1 once terminal with nothing left to run (afterExecution included)
  settled       INTEGER NOT NULL DEFAULT 0,
  start_date    TEXT NOT NULL,
  end_date      TEXT,
  labels        TEXT NOT NULL,
  -- optimistic guard: every write is WHERE version = ?
  version       INTEGER NOT NULL,
  doc           TEXT NOT NULL
) STRICT;
CREATE INDEX executions_by_flow ON executions (namespace, flow_id, state);
CREATE INDEX executions_by_start ON executions (start_date);
CREATE INDEX executions_unsettled ON executions (settled) WHERE settled = 0;

CREATE TABLE task_runs (
  id                 TEXT PRIMARY KEY,
  execution_id       TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  task_id            TEXT NOT NULL,
  parent_task_run_id TEXT,
  value              TEXT,
  state              TEXT NOT NULL,
  attempts           INTEGER NOT NULL,
  doc                TEXT NOT NULL
) STRICT;
CREATE INDEX task_runs_by_execution ON task_runs (execution_id);

CREATE TABLE logs (
  id            INTEGER PRIMARY KEY,
  execution_id  TEXT NOT NULL,
  namespace     TEXT NOT NULL,
  flow_id       TEXT NOT NULL,
  task_id       TEXT,
  task_run_id   TEXT,
  attempt       INTEGER,
  level         TEXT NOT NULL,
  level_no      INTEGER NOT NULL,
  timestamp     TEXT NOT NULL,
  message       TEXT NOT NULL
) STRICT;
CREATE INDEX logs_by_execution ON logs (execution_id, id);

CREATE TABLE executor_events (
  id           INTEGER PRIMARY KEY,
  execution_id TEXT NOT NULL,
  event        TEXT NOT NULL
) STRICT;

CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY,
  execution_id TEXT NOT NULL,
  task_run_id  TEXT NOT NULL,
  attempt      INTEGER NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('QUEUED', 'RUNNING')),
  lease_owner  TEXT,
  lease_until  INTEGER,
  payload      TEXT NOT NULL,
  UNIQUE (task_run_id, attempt)
) STRICT;
CREATE INDEX jobs_by_state ON jobs (state, id);

CREATE TABLE timers (
  id           INTEGER PRIMARY KEY,
  execution_id TEXT NOT NULL,
  task_run_id  TEXT NOT NULL,
  kind         TEXT NOT NULL,
  due_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX timers_by_due ON timers (due_at);
CREATE INDEX timers_by_execution ON timers (execution_id);
`;
