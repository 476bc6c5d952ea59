import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExecution, type Execution, type TaskRun } from '../model/execution.js';
import type { ExecutionStore } from '../ports/execution-store.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');

/** An execution of `namespace.flowId` created `minutes` after T0, in `state`. */
export function executionAt(
  id: string,
  namespace: string,
  flowId: string,
  minutes: number,
  state: Execution['state']['current'] = 'CREATED',
): Execution {
  const e = createExecution(
    { id, namespace, flowId, flowRevision: 1, inputs: {}, labels: [{ key: 'k', value: flowId }] },
    new Date(T0 + minutes * 60_000),
  );
  e.state.current = state;
  return e;
}

const taskRun = (e: Execution, id: string): TaskRun => ({
  id,
  executionId: e.id,
  namespace: e.namespace,
  flowId: e.flowId,
  taskId: `task-${id}`,
  attempts: [],
  state: { current: 'SUCCESS', histories: [] },
  branch: 'tasks',
});

/** Builds a fresh, empty store; `close` releases it. */
export type MakeExecutionStore = () => { store: ExecutionStore; close(): void };

/**
 * The behaviour every `ExecutionStore` must have: versioned, guarded writes
 * (a stale version loses), task runs kept with their execution, concurrency
 * counts, the oldest QUEUED, unsettled count, and Kestra's search.
 *
 * @example
 * executionStoreContract('sqlite', () => { const db = openDatabase(':memory:'); return { store: new SqliteExecutionStore(db), close: () => db.close() }; });
 */
export function executionStoreContract(name: string, make: MakeExecutionStore): void {
  describe(`ExecutionStore contract: ${name}`, () => {
    let store: ExecutionStore;
    let close: () => void;
    beforeEach(() => {
      ({ store, close } = make());
    });
    afterEach(() => close());

    it('inserts at version 1 and reads back the same document', () => {
      const e = executionAt('e1', 'company.team', 'f', 0);
      store.insert(e);
      expect(store.get('e1')).toEqual({ execution: e, version: 1 });
      expect(store.get('missing')).toBeUndefined();
    });

    it('guards updates by version: the stale writer loses and changes nothing', () => {
      const e = executionAt('e1', 'company.team', 'f', 0);
      store.insert(e);
      const next = { ...e, state: { ...e.state, current: 'RUNNING' as const } };
      expect(store.update(next, 1)).toBe(true);
      expect(store.update({ ...e, labels: [] }, 1)).toBe(false);
      expect(store.get('e1')).toMatchObject({ version: 2, execution: { state: { current: 'RUNNING' } } });
    });

    it('keeps task runs with their execution and drops the removed ones', () => {
      const e = executionAt('e1', 'company.team', 'f', 0, 'RUNNING');
      store.insert(e);
      const a = taskRun(e, 'a');
      const b = taskRun(e, 'b');
      expect(store.update({ ...e, taskRunList: [a, b] }, 1)).toBe(true);
      expect(store.get('e1')?.execution.taskRunList.map((t) => t.id)).toEqual(['a', 'b']);
      expect(store.update({ ...e, taskRunList: [b] }, 2)).toBe(true);
      expect(store.get('e1')?.execution.taskRunList.map((t) => t.id)).toEqual(['b']);
      expect(store.get('e1')?.version).toBe(3);
    });

    it('deletes an execution with its task runs, and only that one', () => {
      const e = executionAt('e1', 'company.team', 'f', 0);
      store.insert(e);
      store.insert(executionAt('e2', 'company.team', 'f', 1));
      expect(store.update({ ...e, taskRunList: [taskRun(e, 'tr1')] }, 1)).toBe(true);
      expect(store.delete('e1')).toBe(true);
      expect(store.get('e1')).toBeUndefined();
      expect(store.delete('e1')).toBe(false);
      expect(store.get('e2')).toBeDefined();
      expect(store.search({ page: 1, size: 10 }).total).toBe(1);
    });

    it('counts the active executions of a flow and finds the oldest QUEUED one', () => {
      store.insert(executionAt('r1', 'ns', 'f', 0, 'RUNNING'));
      store.insert(executionAt('p1', 'ns', 'f', 1, 'PAUSED'));
      store.insert(executionAt('s1', 'ns', 'f', 2, 'SUCCESS'));
      store.insert(executionAt('q2', 'ns', 'f', 4, 'QUEUED'));
      store.insert(executionAt('q1', 'ns', 'f', 3, 'QUEUED'));
      store.insert(executionAt('o1', 'ns', 'other', 0, 'RUNNING'));
      expect(store.countActiveInFlow('ns', 'f', 'none')).toBe(2);
      expect(store.countActiveInFlow('ns', 'f', 'r1')).toBe(1);
      expect(store.oldestQueued('ns', 'f')).toBe('q1');
      expect(store.oldestQueued('ns', 'other')).toBeUndefined();
      expect(store.countUnsettled()).toBe(6 - 0 - 1);
    });

    it('counts the top-level active executions of the instance (not Subflow children) and lists its QUEUED ones oldest first', () => {
      store.insert(executionAt('r1', 'ns', 'f', 0, 'RUNNING'));
      store.insert(executionAt('p1', 'ns', 'g', 1, 'PAUSED'));
      store.insert({ ...executionAt('c1', 'ns', 'child', 2, 'RUNNING'), parentId: 'r1' });
      store.insert(executionAt('s1', 'ns', 'f', 2, 'SUCCESS'));
      store.insert(executionAt('q2', 'ns', 'g', 5, 'QUEUED'));
      store.insert(executionAt('q1', 'ns', 'f', 3, 'QUEUED'));
      store.insert(executionAt('q3', 'other', 'h', 4, 'QUEUED'));
      expect(store.countActiveTopLevel('')).toBe(2);
      expect(store.countActiveTopLevel('p1')).toBe(1);
      expect(store.countQueued()).toBe(3);
      expect(store.oldestQueuedAll(10)).toEqual(['q1', 'q3', 'q2']);
      expect(store.oldestQueuedAll(1)).toEqual(['q1']);
    });

    it('searches: namespace prefix, flow, states, labels, text, conditions, paging and sort', () => {
      store.insert(executionAt('a1', 'company.team', 'alpha', 1, 'SUCCESS'));
      store.insert(executionAt('a2', 'company.team', 'alpha', 2, 'FAILED'));
      store.insert(executionAt('b1', 'company.ops', 'beta', 3, 'RUNNING'));
      store.insert(executionAt('c1', 'companyx', 'gamma', 4, 'SUCCESS'));
      const ids = (q: Parameters<ExecutionStore['search']>[0]) => store.search(q).results.map((e) => e.id);
      expect(ids({ page: 1, size: 10 })).toEqual(['c1', 'b1', 'a2', 'a1']);
      expect(ids({ page: 1, size: 10, namespace: 'company' })).toEqual(['b1', 'a2', 'a1']);
      expect(ids({ page: 1, size: 10, flowId: 'alpha', states: ['FAILED'] })).toEqual(['a2']);
      expect(ids({ page: 1, size: 10, labels: [{ key: 'k', value: 'beta' }] })).toEqual(['b1']);
      expect(ids({ page: 1, size: 10, notLabels: [{ key: 'k', value: 'alpha' }] })).toEqual(['c1', 'b1']);
      expect(ids({ page: 1, size: 10, q: 'GAM' })).toEqual(['c1']);
      expect(
        ids({ page: 1, size: 10, where: [{ field: 'state', op: 'NOT_IN', values: ['SUCCESS', 'FAILED'] }] }),
      ).toEqual(['b1']);
      expect(
        ids({ page: 1, size: 10, where: [{ field: 'flowId', op: 'STARTS_WITH', values: ['al'] }] }),
      ).toEqual(['a2', 'a1']);
      expect(ids({ page: 2, size: 3, sort: ['id:asc'] })).toEqual(['c1']);
      expect(store.search({ page: 2, size: 3 }).total).toBe(4);
      expect(
        ids({
          page: 1,
          size: 10,
          startDate: '2025-01-01T00:02:00.000Z',
          endDate: '2025-01-01T00:03:00.000Z',
        }),
      ).toEqual(['b1', 'a2']);
    });
  });
}
