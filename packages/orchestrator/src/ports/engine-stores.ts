import type { EventQueue } from './event-queue.js';
import type { ExecutionStore } from './execution-store.js';
import type { JobQueue } from './job-queue.js';
import type { LogStore } from './log-store.js';
import type { TimerStore } from './timer-store.js';
import type { UnitOfWork } from './unit-of-work.js';

/**
 * The stores the engine runs on, sharing one unit of work: what the runner
 * builds from an adapter (SQLite today) and hands to the executor loop, the
 * worker and the hooks.
 */
export type EngineStores = {
  unitOfWork: UnitOfWork;
  executions: ExecutionStore;
  events: EventQueue;
  jobs: JobQueue;
  timers: TimerStore;
  logs: LogStore;
};
