import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEVEL_NO, type LogRow, type LogStore } from '../ports/log-store.js';

const line = (executionId: string, level: LogRow['level'], message: string, taskRunId?: string): LogRow => ({
  executionId,
  namespace: 'ns',
  flowId: 'f',
  ...(taskRunId ? { taskId: `task-${taskRunId}`, taskRunId, attempt: 1 } : {}),
  level,
  timestamp: '2025-01-01T00:00:00.000Z',
  message,
});

/** Builds a fresh, empty store; `close` releases it. */
export type MakeLogStore = () => { logs: LogStore; close(): void };

/**
 * The behaviour every `LogStore` must have: lines of one execution in the
 * order stored, filtered by minimum level and task run, and paged by
 * position (`after`) for follow.
 *
 * @example
 * logStoreContract('sqlite', () => { const db = openDatabase(':memory:'); return { logs: new SqliteLogStore(db), close: () => db.close() }; });
 */
export function logStoreContract(name: string, make: MakeLogStore): void {
  describe(`LogStore contract: ${name}`, () => {
    let logs: LogStore;
    let close: () => void;
    beforeEach(() => {
      ({ logs, close } = make());
    });
    afterEach(() => close());

    it('lists the lines of one execution in order, with their fields', () => {
      logs.append(line('e1', 'INFO', 'one', 'tr1'));
      logs.append(line('e2', 'INFO', 'other'));
      logs.append(line('e1', 'DEBUG', 'two'));
      const listed = logs.list('e1');
      expect(listed.map((l) => l.message)).toEqual(['one', 'two']);
      expect(listed[0]).toMatchObject(line('e1', 'INFO', 'one', 'tr1'));
      expect(listed[1]?.taskRunId).toBeUndefined();
      expect(listed[0]!.id).toBeLessThan(listed[1]!.id);
    });

    it('filters by minimum level and task run, and pages by position', () => {
      logs.append(line('e1', 'TRACE', 'a', 'tr1'));
      logs.append(line('e1', 'WARN', 'b', 'tr1'));
      logs.append(line('e1', 'ERROR', 'c', 'tr2'));
      expect(logs.list('e1', { minLevel: LEVEL_NO.WARN }).map((l) => l.message)).toEqual(['b', 'c']);
      expect(logs.list('e1', { taskRunId: 'tr1' }).map((l) => l.message)).toEqual(['a', 'b']);
      const [first] = logs.list('e1');
      expect(logs.list('e1', { after: first!.id }).map((l) => l.message)).toEqual(['b', 'c']);
      expect(logs.list('missing')).toEqual([]);
      expect(logs.list('e1', { taskId: 'task-tr2' }).map((l) => l.message)).toEqual(['c']);
      expect(logs.list('e1', { attempt: 1, taskRunId: 'tr1' }).map((l) => l.message)).toEqual(['a', 'b']);
      expect(logs.list('e1', { attempt: 2 })).toEqual([]);
    });

    it('deletes the lines of one execution, all or by filter, and no other', () => {
      logs.append(line('e1', 'INFO', 'a', 'tr1'));
      logs.append(line('e1', 'ERROR', 'b', 'tr2'));
      logs.append(line('e2', 'INFO', 'c'));
      expect(logs.deleteByExecution('e1', { taskRunId: 'tr2' })).toBe(1);
      expect(logs.list('e1').map((l) => l.message)).toEqual(['a']);
      expect(logs.deleteByExecution('e1')).toBe(1);
      expect(logs.list('e1')).toEqual([]);
      expect(logs.list('e2').map((l) => l.message)).toEqual(['c']);
    });

    it('searches across executions (namespace prefix, flow, level, text, dates), pages newest first, and deletes by the same filters', () => {
      const at = (ts: string, r: LogRow): LogRow => ({ ...r, timestamp: ts });
      logs.append(
        at('2025-01-01T00:00:01.000Z', { ...line('e1', 'INFO', 'hello one'), namespace: 'company.team' }),
      );
      logs.append(
        at('2025-01-01T00:00:02.000Z', { ...line('e2', 'WARN', 'Hello two'), namespace: 'company' }),
      );
      logs.append(at('2025-01-01T00:00:03.000Z', { ...line('e3', 'ERROR', 'bye'), namespace: 'companyx' }));
      const page = logs.search({ page: 1, size: 2, namespace: 'company' });
      expect(page.total).toBe(2);
      expect(page.results.map((l) => l.message)).toEqual(['Hello two', 'hello one']);
      expect(logs.search({ page: 2, size: 1, namespace: 'company' }).results.map((l) => l.message)).toEqual([
        'hello one',
      ]);
      expect(logs.search({ page: 1, size: 10, q: 'HELLO', minLevel: LEVEL_NO.WARN }).total).toBe(1);
      expect(logs.search({ page: 1, size: 10, startDate: '2025-01-01T00:00:02.000Z' }).total).toBe(2);
      expect(logs.search({ page: 1, size: 10, endDate: '2025-01-01T00:00:01.000Z', flowId: 'f' }).total).toBe(
        1,
      );
      expect(logs.search({ page: 1, size: 10, executionId: 'e3', order: 'asc' }).results[0]?.message).toBe(
        'bye',
      );
      expect(logs.deleteWhere({ namespace: 'company' })).toBe(2);
      expect(logs.search({ page: 1, size: 10 }).results.map((l) => l.message)).toEqual(['bye']);
    });
  });
}
