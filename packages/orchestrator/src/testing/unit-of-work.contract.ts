import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineStores } from '../ports/engine-stores.js';
import { executionAt } from './execution-store.contract.js';

/** Builds fresh, empty engine stores that share one unit of work; `close` releases them. */
export type MakeEngineStores = () => { stores: EngineStores; close(): void };

/**
 * The behaviour every `UnitOfWork` must have over its stores: writes commit
 * together or not at all, and a failing nested unit rolls back alone (what
 * the executor loop relies on: one batch, one nested unit per decision).
 *
 * @example
 * unitOfWorkContract('sqlite', () => { const db = openDatabase(':memory:'); return { stores: sqliteEngineStores(db), close: () => db.close() }; });
 */
export function unitOfWorkContract(name: string, make: MakeEngineStores): void {
  describe(`UnitOfWork contract: ${name}`, () => {
    let stores: EngineStores;
    let close: () => void;
    beforeEach(() => {
      ({ stores, close } = make());
    });
    afterEach(() => close());

    it('commits writes to several stores together and returns the result', () => {
      const r = stores.unitOfWork.atomically(() => {
        stores.executions.insert(executionAt('e1', 'ns', 'f', 0));
        stores.events.append('e1', { type: 'start', runningInFlow: 0 });
        stores.timers.set('e1', 'e1', 'scheduledStart', 1000);
        return 42;
      });
      expect(r).toBe(42);
      expect(stores.executions.get('e1')).toBeDefined();
      expect(stores.events.take(10)).toHaveLength(1);
      expect(stores.timers.earliest()).toBe(1000);
    });

    it('rolls every store back when the work throws', () => {
      expect(() =>
        stores.unitOfWork.atomically(() => {
          stores.executions.insert(executionAt('e1', 'ns', 'f', 0));
          stores.events.append('e1', { type: 'kill' });
          stores.logs.append({
            executionId: 'e1',
            namespace: 'ns',
            flowId: 'f',
            level: 'INFO',
            timestamp: '2025-01-01T00:00:00.000Z',
            message: 'lost',
          });
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(stores.executions.get('e1')).toBeUndefined();
      expect(stores.events.take(10)).toEqual([]);
      expect(stores.logs.list('e1')).toEqual([]);
    });

    it('rolls back a failing nested unit alone, keeping the outer one', () => {
      stores.unitOfWork.atomically(() => {
        stores.events.append('kept', { type: 'kill' });
        try {
          stores.unitOfWork.atomically(() => {
            stores.events.append('dropped', { type: 'kill' });
            throw new Error('one decision failed');
          });
        } catch {
          // the executor logs and goes on
        }
        stores.jobs.enqueue('kept', 'tr1', 1, {
          taskId: 't',
          task: { id: 't', type: 'x' } as never,
          variables: {},
          namespace: 'ns',
          flowId: 'f',
        });
      });
      expect(stores.events.take(10).map((e) => e.executionId)).toEqual(['kept']);
      expect(stores.jobs.count()).toBe(1);
    });
  });
}
