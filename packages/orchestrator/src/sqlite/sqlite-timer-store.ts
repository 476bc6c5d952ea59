import type { DueTimer, TimerStore } from '../ports/timer-store.js';
import type { SqliteDatabase } from './database.js';

type TimerKind = DueTimer['kind'];

/** Durable timers (table `timers`, migration 0003), due times in ms. */
export class SqliteTimerStore implements TimerStore {
  private readonly s;

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
  }

  cancelExecution(executionId: string): void {
    this.s.deleteOfExecution.run(executionId);
  }

  cancelTaskRun(taskRunId: string): void {
    this.s.deleteOfTaskRun.run(taskRunId);
  }

  takeDue(now: number): DueTimer[] {
    return (this.s.due.all(now) as Array<{ execution_id: string; task_run_id: string; kind: TimerKind }>).map(
      (r) => ({ executionId: r.execution_id, taskRunId: r.task_run_id, kind: r.kind }),
    );
  }

  earliest(): number | undefined {
    return (this.s.earliest.get() as { due: number | null }).due ?? undefined;
  }
}
