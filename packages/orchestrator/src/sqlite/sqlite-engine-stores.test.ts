import { eventQueueContract } from '../testing/event-queue.contract.js';
import { executionStoreContract } from '../testing/execution-store.contract.js';
import { jobQueueContract } from '../testing/job-queue.contract.js';
import { logStoreContract } from '../testing/log-store.contract.js';
import { timerStoreContract } from '../testing/timer-store.contract.js';
import { triggerStateContract } from '../testing/trigger-state.contract.js';
import { unitOfWorkContract } from '../testing/unit-of-work.contract.js';
import { openDatabase } from './database.js';
import { sqliteEngineStores } from './sqlite-engine-stores.js';
import { SqliteEventQueue } from './sqlite-event-queue.js';
import { SqliteExecutionStore } from './sqlite-execution-store.js';
import { SqliteJobQueue } from './sqlite-job-queue.js';
import { SqliteLogStore } from './sqlite-log-store.js';
import { SqliteTimerStore } from './sqlite-timer-store.js';
import { SqliteTriggerStateRepository } from './sqlite-trigger-state.js';

/** Each SQLite adapter on a fresh, migrated in-memory database (STYLE.md rule 13). */
const fresh = <T>(make: (db: ReturnType<typeof openDatabase>) => T) => {
  const db = openDatabase(':memory:');
  return { port: make(db), close: () => db.close() };
};

executionStoreContract('sqlite', () => {
  const { port, close } = fresh((db) => new SqliteExecutionStore(db));
  return { store: port, close };
});
eventQueueContract('sqlite', () => {
  const { port, close } = fresh((db) => new SqliteEventQueue(db));
  return { events: port, close };
});
jobQueueContract('sqlite', () => {
  const { port, close } = fresh((db) => new SqliteJobQueue(db));
  return { jobs: port, close };
});
logStoreContract('sqlite', () => {
  const { port, close } = fresh((db) => new SqliteLogStore(db));
  return { logs: port, close };
});
timerStoreContract('sqlite', () => {
  const { port, close } = fresh((db) => new SqliteTimerStore(db));
  return { timers: port, close };
});
triggerStateContract('sqlite', () => {
  const { port, close } = fresh((db) => new SqliteTriggerStateRepository(db));
  return { repository: port, close };
});
unitOfWorkContract('sqlite', () => {
  const { port, close } = fresh(sqliteEngineStores);
  return { stores: port, close };
});
