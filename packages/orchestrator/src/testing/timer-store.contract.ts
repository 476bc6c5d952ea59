import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TimerStore } from '../ports/timer-store.js';

/** Builds a fresh, empty store; `close` releases it. */
export type MakeTimerStore = () => { timers: TimerStore; close(): void };

/**
 * The behaviour every `TimerStore` must have: the earliest due time, timers
 * taken exactly once when due, cancelled by execution or by task run.
 *
 * @example
 * timerStoreContract('sqlite', () => { const db = openDatabase(':memory:'); return { timers: new SqliteTimerStore(db), close: () => db.close() }; });
 */
export function timerStoreContract(name: string, make: MakeTimerStore): void {
  describe(`TimerStore contract: ${name}`, () => {
    let timers: TimerStore;
    let close: () => void;
    beforeEach(() => {
      ({ timers, close } = make());
    });
    afterEach(() => close());

    it('reports the earliest timer and gives each due timer once', () => {
      expect(timers.earliest()).toBeUndefined();
      timers.set('e1', 'tr1', 'sleep', 2000);
      timers.set('e2', 'tr2', 'retry', 1000);
      expect(timers.earliest()).toBe(1000);
      expect(timers.takeDue(999)).toEqual([]);
      expect(timers.takeDue(1000)).toEqual([{ executionId: 'e2', taskRunId: 'tr2', kind: 'retry' }]);
      expect(timers.takeDue(1000)).toEqual([]);
      expect(timers.earliest()).toBe(2000);
    });

    it('cancels the timers of a task run, or of a whole execution', () => {
      timers.set('e1', 'tr1', 'pauseDelay', 1000);
      timers.set('e1', 'tr2', 'pauseTimeout', 1000);
      timers.set('e2', 'e2', 'scheduledStart', 1000);
      timers.cancelTaskRun('tr1');
      expect(timers.takeDue(5000).map((t) => t.taskRunId)).toEqual(['tr2', 'e2']);
      timers.set('e1', 'tr3', 'loopCheck', 1000);
      timers.set('e3', 'tr4', 'retryFlow', 1000);
      timers.cancelExecution('e1');
      expect(timers.takeDue(5000).map((t) => t.executionId)).toEqual(['e3']);
    });
  });
}
