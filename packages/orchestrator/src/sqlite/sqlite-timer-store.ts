import type { DueTimer, TimerStore } from '../ports/timer-store.js';
import type { SqliteDatabase } from './database.js';

type TimerKind = DueTimer['kind'];

/**
 * Durable timers (table `timers`, migration 0003), due times in ms.
 *
 * The earliest due time is remembered between writes: the executor asks for
 * it after every batch (to arm its one `setTimeout`) and fires due timers at
 * the start of every batch, which were two queries per batch on a table that
 * is empty most of the time. The remembered value may be too early (a timer
 * set in a transaction that then rolled back: one wake that finds nothing,
 * then the table is read again), never too late: every set lowers it, every
 * removal forgets it.
 */
export class SqliteTimerStore implements TimerStore {
  private readonly s;
  /** min(due_at) as last known: a number, `null` for no timer, `undefined` when unknown. */
  private known: number | null | undefined;

  constructor(db: SqliteDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      /** (executionId, taskRunId, kind, dueAt). */
      insert: p('INSERT INTO timers (execution_id, task_run_id, kind, due_at) VALUES (?, ?, ?, ?)'),
      /** (executionId). */
      deleteOfExecution: p('DELETE FROM timers WHERE execution_id = ?'),
      /** (taskRunId). */
      deleteOfTaskRun: p('DELETE FROM timers WHERE task_run_id = ?'),
      /** (now) → removed due rows. */
      due: p('DELETE FROM timers WHERE due_at <= ? RETURNING execution_id, task_run_id, kind'),
      /** () → min due_at. */
      earliest: p('SELECT min(due_at) AS due FROM timers'),
    };
  }

  set(executionId: string, taskRunId: string, kind: TimerKind, dueAt: number): void {
    this.s.insert.run(executionId, taskRunId, kind, dueAt);
    if (this.known !== undefined) this.known = this.known === null ? dueAt : Math.min(this.known, dueAt);
  }

  cancelExecution(executionId: string): void {
    if (this.s.deleteOfExecution.run(executionId).changes > 0) this.known = undefined;
  }

  cancelTaskRun(taskRunId: string): void {
    if (this.s.deleteOfTaskRun.run(taskRunId).changes > 0) this.known = undefined;
  }

  takeDue(now: number): DueTimer[] {
    // Nothing is due before the earliest timer (or when there is none).
    if (this.known === null || (this.known !== undefined && this.known > now)) return [];
    this.known = undefined;
    return (this.s.due.all(now) as Array<{ execution_id: string; task_run_id: string; kind: TimerKind }>).map(
      (r) => ({ executionId: r.execution_id, taskRunId: r.task_run_id, kind: r.kind }),
    );
  }

  earliest(): number | undefined {
    if (this.known === undefined) this.known = (this.s.earliest.get() as { due: number | null }).due;
    return this.known ?? undefined;
  }
}
