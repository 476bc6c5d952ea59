import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventQueue } from '../ports/event-queue.js';

/** Builds a fresh, empty queue; `close` releases it. */
export type MakeEventQueue = () => { events: EventQueue; close(): void };

/**
 * The behaviour every `EventQueue` must have: events come back in the order
 * they were appended, bounded by `limit`, until removed.
 *
 * @example
 * eventQueueContract('sqlite', () => { const db = openDatabase(':memory:'); return { events: new SqliteEventQueue(db), close: () => db.close() }; });
 */
export function eventQueueContract(name: string, make: MakeEventQueue): void {
  describe(`EventQueue contract: ${name}`, () => {
    let events: EventQueue;
    let close: () => void;
    beforeEach(() => {
      ({ events, close } = make());
    });
    afterEach(() => close());

    it('gives events back in append order, bounded, with their execution', () => {
      events.append('e1', { type: 'start', runningInFlow: 0 });
      events.append('e2', { type: 'kill' });
      events.append('e1', { type: 'timer', taskRunId: 't1', kind: 'sleep' });
      const taken = events.take(2);
      expect(taken.map((e) => [e.executionId, e.event])).toEqual([
        ['e1', { type: 'start', runningInFlow: 0 }],
        ['e2', { type: 'kill' }],
      ]);
      expect(events.take(10)).toHaveLength(3);
    });

    it('forgets an event once removed, and keeps the others', () => {
      events.append('e1', { type: 'kill' });
      events.append('e2', { type: 'continue' });
      const [first] = events.take(1);
      events.remove(first!.id);
      expect(events.take(10).map((e) => e.executionId)).toEqual(['e2']);
      expect(events.take(0)).toEqual([]);
    });
  });
}
