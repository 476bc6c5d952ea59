import type { ExecutorEvent } from '../executor/events.js';

export type StoredEvent = { id: number; executionId: string; event: ExecutorEvent };

/**
 * The executor's durable inbox: events appended by the API, the worker,
 * timers and hooks, taken in order by the executor loop and removed once
 * decided (in the same unit of work as the decision).
 *
 * @example
 * events.append(id, { type: 'kill' });
 * for (const e of events.take(256)) { decide(e.event); events.remove(e.id); }
 */
export interface EventQueue {
  append(executionId: string, event: ExecutorEvent): void;
  /** The oldest `limit` events, in the order they were appended. */
  take(limit: number): StoredEvent[];
  /** Removes a decided event. */
  remove(id: number): void;
}
