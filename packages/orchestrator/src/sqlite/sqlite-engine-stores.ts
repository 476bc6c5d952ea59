import type { EngineStores } from '../ports/engine-stores.js';
import type { SqliteDatabase } from './database.js';
import { SqliteEventQueue } from './sqlite-event-queue.js';
import { SqliteExecutionStore } from './sqlite-execution-store.js';
import { SqliteJobQueue } from './sqlite-job-queue.js';
import { SqliteLogStore } from './sqlite-log-store.js';
import { SqliteTimerStore } from './sqlite-timer-store.js';
import { SqliteUnitOfWork } from './sqlite-unit-of-work.js';

/**
 * Every engine store over one SQLite database (one file, one transaction scope).
 *
 * @example
 * const stores = sqliteEngineStores(openDatabase(':memory:'));
 * stores.unitOfWork.atomically(() => stores.executions.insert(execution));
 */
export function sqliteEngineStores(db: SqliteDatabase): EngineStores {
  return {
    unitOfWork: new SqliteUnitOfWork(db),
    executions: new SqliteExecutionStore(db),
    events: new SqliteEventQueue(db),
    jobs: new SqliteJobQueue(db),
    timers: new SqliteTimerStore(db),
    logs: new SqliteLogStore(db),
  };
}
