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
    });
  });
}
