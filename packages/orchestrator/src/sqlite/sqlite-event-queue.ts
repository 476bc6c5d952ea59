import type { EventQueue, StoredEvent } from '../ports/event-queue.js';
import type { SqliteDatabase } from './database.js';

type ExecutorEvent = StoredEvent['event'];

/** The executor's inbox (table `executor_events`, migration 0003); events stored as JSON. */
export class SqliteEventQueue implements EventQueue {
  private readonly s;

  constructor(db: SqliteDatabase) {
    this.s = {
      /** (executionId, event JSON). */
      insert: db.prepare('INSERT INTO executor_events (execution_id, event) VALUES (?, ?)'),
      /** (limit) → oldest rows. */
      take: db.prepare('SELECT id, execution_id, event FROM executor_events ORDER BY id LIMIT ?'),
      /** (id). */
      delete: db.prepare('DELETE FROM executor_events WHERE id = ?'),
    };
  }

  append(executionId: string, event: ExecutorEvent): void {
    this.s.insert.run(executionId, JSON.stringify(event));
  }

  take(limit: number): StoredEvent[] {
    return (this.s.take.all(limit) as Array<{ id: number; execution_id: string; event: string }>).map(
      (r) => ({
        id: r.id,
        executionId: r.execution_id,
        event: JSON.parse(r.event) as ExecutorEvent,
      }),
    );
  }

  remove(id: number): void {
    this.s.delete.run(id);
  }
}
