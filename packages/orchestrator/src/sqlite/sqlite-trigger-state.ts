import type Database from 'better-sqlite3';
import type { FireRecord, TriggerKey, TriggerState, TriggerStateRepository } from '../ports/trigger-state.js';

type StateRow = {
  namespace: string;
  flow_id: string;
  trigger_id: string;
  fingerprint: string;
  last_fire_at: string | null;
  next_fire_at: string | null;
  disabled: number;
  updated_at: string;
};

/** SELECT one trigger_state row by (namespace, flowId, triggerId). */
function selectState(db: Database.Database, k: TriggerKey): StateRow | undefined {
  return db
    .prepare('SELECT * FROM trigger_state WHERE namespace = ? AND flow_id = ? AND trigger_id = ?')
    .get(k.namespace, k.flowId, k.triggerId) as StateRow | undefined;
}

/** SELECT every trigger_state row, by namespace, flow, trigger. */
function selectStates(db: Database.Database): StateRow[] {
  return db
    .prepare('SELECT * FROM trigger_state ORDER BY namespace, flow_id, trigger_id')
    .all() as StateRow[];
}

/** UPSERT a trigger_state row (all columns). */
function upsertState(db: Database.Database, row: StateRow): void {
  db.prepare(
    `INSERT INTO trigger_state (namespace, flow_id, trigger_id, fingerprint, last_fire_at, next_fire_at, disabled, updated_at)
     VALUES (@namespace, @flow_id, @trigger_id, @fingerprint, @last_fire_at, @next_fire_at, @disabled, @updated_at)
     ON CONFLICT (namespace, flow_id, trigger_id) DO UPDATE SET
       fingerprint = excluded.fingerprint, last_fire_at = excluded.last_fire_at, next_fire_at = excluded.next_fire_at,
       disabled = excluded.disabled, updated_at = excluded.updated_at`,
  ).run(row);
}

/** SELECT the execution id of a recorded fire (namespace, flowId, triggerId, fireAt). */
function selectFire(db: Database.Database, k: TriggerKey, fireAt: string): string | undefined {
  const row = db
    .prepare(
      'SELECT execution_id FROM trigger_fires WHERE namespace = ? AND flow_id = ? AND trigger_id = ? AND fire_at = ?',
    )
    .get(k.namespace, k.flowId, k.triggerId, fireAt) as { execution_id: string } | undefined;
  return row?.execution_id;
}

/** INSERT a fire (namespace, flowId, triggerId, fireAt, executionId, now); the UNIQUE key rejects a second one. */
function insertFire(
  db: Database.Database,
  k: TriggerKey,
  fireAt: string,
  executionId: string,
  now: string,
): void {
  db.prepare(
    `INSERT INTO trigger_fires (namespace, flow_id, trigger_id, fire_at, execution_id, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(k.namespace, k.flowId, k.triggerId, fireAt, executionId, now);
}

/**
 * Trigger state and fire records in the instance's SQLite file (tables
 * `trigger_state` and `trigger_fires`, migration 0002).
 *
 * @example
 * const repo = new SqliteTriggerStateRepository(db);
 * repo.recordFire({ namespace: 'ns', flowId: 'f', triggerId: 'daily' }, fireAt, () => createExecution(), now);
 */
export class SqliteTriggerStateRepository implements TriggerStateRepository {
  constructor(private readonly db: Database.Database) {}

  get(key: TriggerKey): TriggerState | undefined {
    const row = selectState(this.db, key);
    return row && fromRow(row);
  }

  save(state: TriggerState): void {
    upsertState(this.db, {
      namespace: state.namespace,
      flow_id: state.flowId,
      trigger_id: state.triggerId,
      fingerprint: state.fingerprint,
      last_fire_at: state.lastFireAt,
      next_fire_at: state.nextFireAt,
      disabled: state.disabled ? 1 : 0,
      updated_at: state.updatedAt,
    });
  }

  list(): TriggerState[] {
    return selectStates(this.db).map(fromRow);
  }

  recordFire(key: TriggerKey, fireAt: string, create: () => string, now: string): FireRecord {
    return this.db
      .transaction((): FireRecord => {
        const existing = selectFire(this.db, key, fireAt);
        if (existing !== undefined) return { executionId: existing, created: false };
        const executionId = create();
        insertFire(this.db, key, fireAt, executionId, now);
        return { executionId, created: true };
      })
      .immediate();
  }

  findFire(key: TriggerKey, fireAt: string): string | undefined {
    return selectFire(this.db, key, fireAt);
  }
}

function fromRow(row: StateRow): TriggerState {
  return {
    namespace: row.namespace,
    flowId: row.flow_id,
    triggerId: row.trigger_id,
    fingerprint: row.fingerprint,
    lastFireAt: row.last_fire_at,
    nextFireAt: row.next_fire_at,
    disabled: row.disabled === 1,
    updatedAt: row.updated_at,
  };
}
