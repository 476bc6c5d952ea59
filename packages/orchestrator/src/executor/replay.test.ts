import type { StateType } from '@silo/contracts';
import { describe, expect, it } from 'vitest';
import { type Branch, createExecution, type Execution, type TaskRun } from '../model/execution.js';
import { replayExecution } from './replay.js';

const T0 = new Date('2025-01-01T00:00:00.000Z');
const NOW = new Date('2025-02-01T00:00:00.000Z');

const run = (id: string, state: StateType, parent?: string, branch: Branch = 'tasks'): TaskRun => ({
  id,
  executionId: 'old',
  namespace: 'company.team',
  flowId: 'f',
  taskId: `task-${id}`,
  ...(parent ? { parentTaskRunId: parent } : {}),
  attempts: [],
  state: { current: state, histories: [{ state, date: T0.toISOString() }] },
  branch,
});

function failed(): Execution {
  const e = createExecution(
    {
      id: 'old',
      namespace: 'company.team',
      flowId: 'f',
      flowRevision: 3,
      inputs: { a: 1 },
      labels: [
        { key: 'team', value: 'x' },
        { key: 'system.restarted', value: 'false' },
      ],
    },
    T0,
  );
  e.state = { current: 'FAILED', histories: [{ state: 'CREATED', date: T0.toISOString() }] };
  e.taskRunList = [
    run('t1', 'SUCCESS'),
    run('p', 'FAILED'),
    run('c1', 'SUCCESS', 'p'),
    run('c2', 'FAILED', 'p'),
    run('e1', 'SUCCESS', undefined, 'errors'),
  ];
  return e;
}

const ids = () => {
  let n = 0;
  return () => `id-${++n}`;
};

describe('replayExecution', () => {
  it('from the start: a new attempt with no task runs, marked restarted, chained to the original', () => {
    const next = replayExecution(failed(), undefined, { newId: ids(), now: NOW });
    expect(next).toMatchObject({
      id: 'id-1',
      namespace: 'company.team',
      flowId: 'f',
      flowRevision: 3,
      inputs: { a: 1 },
      parentId: 'old',
      originalId: 'old',
      attemptNumber: 2,
      originalCreatedDate: T0.toISOString(),
      taskRunList: [],
      state: { current: 'CREATED' },
    });
    expect(next.labels).toEqual([
      { key: 'team', value: 'x' },
      { key: 'system.restarted', value: 'true' },
    ]);
    expect(next.state.histories[0]?.date).toBe(NOW.toISOString());
  });

  it('from a task run: keeps the terminal main-branch runs before it under new ids, its ancestors RUNNING', () => {
    const next = replayExecution(failed(), 'c2', { newId: ids(), now: NOW });
    expect(next.taskRunList.map((t) => [t.taskId, t.id, t.parentTaskRunId, t.state.current])).toEqual([
      ['task-t1', 'id-2', undefined, 'SUCCESS'],
      ['task-p', 'id-3', undefined, 'RUNNING'],
      ['task-c1', 'id-4', 'id-3', 'SUCCESS'],
    ]);
    expect(next.taskRunList.every((t) => t.executionId === 'id-1')).toBe(true);
    expect(next.taskRunList[1]?.state.histories).toEqual([{ state: 'RUNNING', date: NOW.toISOString() }]);
  });

  it('keeps the chain: a replay of a replay points to the first original and counts attempts on', () => {
    const first = replayExecution(failed(), undefined, { newId: () => 'r1', now: NOW });
    const second = replayExecution(first, 'unknown-task-run', { newId: () => 'r2', now: NOW });
    expect(second).toMatchObject({ parentId: 'r1', originalId: 'old', attemptNumber: 3, taskRunList: [] });
    expect(second.originalCreatedDate).toBe(T0.toISOString());
  });

  it('does not change the original', () => {
    const original = failed();
    const before = structuredClone(original);
    replayExecution(original, 'c2', { newId: ids(), now: NOW });
    expect(original).toEqual(before);
  });
});
