import { describe, expect, it } from 'vitest';
import { ExecutionJsonSchema, FlowJsonSchema, LogEntryJsonSchema } from '../index.js';

const state = (current: string) => ({
  current,
  histories: [{ state: current, date: '2026-01-01T00:00:00Z' }],
  startDate: '2026-01-01T00:00:00Z',
  duration: 'PT0S',
});

describe('wire types of the orchestrator API', () => {
  it('Execution: a minimal answer parses; an unknown state or a missing field does not', () => {
    const e = {
      id: 'e1',
      namespace: 'company.team',
      flowId: 'hello',
      flowRevision: 1,
      labels: [{ key: 'a', value: '1' }],
      taskRunList: [
        {
          id: 't1',
          executionId: 'e1',
          namespace: 'company.team',
          flowId: 'hello',
          taskId: 'log',
          attempts: [{ state: state('SUCCESS') }],
          outputs: null,
          state: state('SUCCESS'),
        },
      ],
      inputs: {},
      state: state('RUNNING'),
      deleted: false,
      metadata: { attemptNumber: 1 },
    };
    expect(ExecutionJsonSchema.parse(e)).toEqual(e);
    expect(ExecutionJsonSchema.safeParse({ ...e, state: state('DONE') }).success).toBe(false);
    const { taskRunList: _, ...withoutRuns } = e;
    expect(ExecutionJsonSchema.safeParse(withoutRuns).success).toBe(false);
  });

  it('LogEntry: Kestra levels only', () => {
    const l = {
      namespace: 'n',
      flowId: 'f',
      taskId: null,
      executionId: 'e',
      taskRunId: null,
      attemptNumber: null,
      timestamp: '2026-01-01T00:00:00Z',
      level: 'INFO',
      thread: 'worker',
      message: 'hi',
    };
    expect(LogEntryJsonSchema.parse(l)).toEqual(l);
    expect(LogEntryJsonSchema.safeParse({ ...l, level: 'info' }).success).toBe(false);
  });

  it('Flow: task properties as written pass through', () => {
    const f = {
      id: 'hello',
      namespace: 'company.team',
      revision: 2,
      tasks: [{ id: 'log', type: 'io.kestra.plugin.core.log.Log', message: 'hi' }],
      disabled: false,
      deleted: false,
      updated: '2026-01-01T00:00:00Z',
    };
    expect(FlowJsonSchema.parse(f)).toEqual(f);
    expect(FlowJsonSchema.safeParse({ ...f, tasks: [{ id: 'log' }] }).success).toBe(false);
  });
});
