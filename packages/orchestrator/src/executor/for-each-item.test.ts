import type { StateType } from '@silo/contracts';
import { describe, expect, it } from 'vitest';
import type { Task } from '../flow/flow-model.js';
import { flowOf, Harness, log, task } from './decide-harness.js';
import type { Command } from './events.js';
import { type CreateForEachItemCommand, FOR_EACH_ITEM_TYPE } from './for-each-item.js';

const each = (props: Record<string, unknown> = {}, extra: Partial<Task> = {}) =>
  task(
    'each',
    FOR_EACH_ITEM_TYPE,
    {
      items: '{{ inputs.file }}',
      batch: { rows: 2 },
      namespace: 'ns',
      flowId: 'child',
      inputs: { items: '{{ taskrun.items }}' },
      ...props,
    },
    extra,
  );
const FILE = 'kestra:///ns/f/executions/e1/inputs/file/data.jsonl';

/** Starts a parent with one ForEachItem and answers the harness plus its create command. */
function started(props: Record<string, unknown> = {}, extra: Partial<Task> = {}, after: Task[] = []) {
  const h = new Harness(flowOf([each(props, extra), ...after]), undefined, { file: FILE });
  h.send({ type: 'start', runningInFlow: 0 });
  const create = h.commands.find((c): c is CreateForEachItemCommand => c.kind === 'createForEachItem');
  return { h, create, tr: () => h.taskRun('each') };
}

/** Creates `n` children, then ends them with `states` (in order). */
function run(states: StateType[], props: Record<string, unknown> = {}, extra: Partial<Task> = {}) {
  const s = started(props, extra, [log('after')]);
  const ids = states.map((_, i) => `child${i}`);
  s.h.send({ type: 'forEachItemCreated', taskRunId: s.tr().id, executionIds: ids });
  for (const [i, state] of states.entries()) {
    s.h.send({ type: 'forEachItemEnded', taskRunId: s.tr().id, executionId: ids[i]!, iteration: i, state });
  }
  return s;
}

const kinds = (cs: Command[]) => cs.map((c) => c.kind).filter((k) => k !== 'log');

describe('decide: ForEachItem start', () => {
  it('renders items, subflow and batch, and asks the loop to split and create the children (no worker job)', () => {
    const { h, create, tr } = started({ labels: { team: 'a' } });
    expect(tr().state.current).toBe('RUNNING');
    expect(kinds(h.commands)).toEqual(['createForEachItem']);
    expect(create).toMatchObject({
      parentId: 'e1',
      taskRunId: tr().id,
      taskId: 'each',
      items: FILE,
      batch: { rows: 2 },
      namespace: 'ns',
      flowId: 'child',
      inputs: { items: '{{ taskrun.items }}' },
      labels: [
        { key: 'system.correlationId', value: 'e1' },
        { key: 'team', value: 'a' },
      ],
      wait: true,
      folder: ['ns', 'f', 'executions', 'e1', 'tasks', 'each', tr().id],
    });
    expect((create!.variables.taskrun as { id: string }).id).toBe(tr().id);
  });

  it.each([
    [
      { items: 'file:///etc/passwd' },
      'Unable to split the items from file:///etc/passwd, this is not an internal storage URI!',
    ],
    [{ items: '{{ inputs.nope }}' }, 'Unable to find `nope`'],
    [{ flowId: '' }, "ForEachItem 'each': property 'flowId' is required"],
  ])('%j fails the task run with the reason logged', (props, message) => {
    const { h, create, tr } = started(props);
    expect(create).toBeUndefined();
    expect(tr().state.current).toBe('FAILED');
    expect(h.state).toBe('FAILED');
    const logged = h.commands.find((c) => c.kind === 'log' && c.level === 'ERROR');
    expect(logged && 'message' in logged ? logged.message : '').toContain(message);
  });
});

describe('decide: ForEachItem iterations and final state', () => {
  it('counts batches per state; the last child ends the task run and the flow goes on', () => {
    const s = started({}, {}, [log('after')]);
    const id = s.tr().id;
    s.h.send({ type: 'forEachItemCreated', taskRunId: id, executionIds: ['c0', 'c1', 'c2'] });
    expect(s.tr().outputs).toEqual({ numberOfBatches: 3, iterations: { CREATED: 3, RUNNING: 0 } });
    s.h.send({ type: 'forEachItemEnded', taskRunId: id, executionId: 'c1', iteration: 1, state: 'SUCCESS' });
    expect(s.tr().outputs?.iterations).toEqual({ CREATED: 2, RUNNING: 0, SUCCESS: 1 });
    expect(s.tr().state.current).toBe('RUNNING');
    s.h.send({ type: 'forEachItemEnded', taskRunId: id, executionId: 'c0', iteration: 0, state: 'SUCCESS' });
    s.h.send({ type: 'forEachItemEnded', taskRunId: id, executionId: 'c2', iteration: 2, state: 'SUCCESS' });
    expect(s.tr().outputs).toEqual({
      numberOfBatches: 3,
      iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 3 },
    });
    expect(s.h.states()).toEqual({ each: 'SUCCESS', after: 'SUCCESS' });
    expect(s.h.state).toBe('SUCCESS');
  });

  it.each([
    [['SUCCESS', 'FAILED', 'SUCCESS'], {}, 'FAILED'],
    [['SUCCESS', 'FAILED'], { transmitFailed: false }, 'SUCCESS'],
    [['WARNING', 'SUCCESS'], {}, 'WARNING'],
    [['KILLED', 'SUCCESS'], {}, 'KILLED'],
    [['KILLED', 'FAILED'], {}, 'FAILED'],
    [['KILLED', 'WARNING'], { transmitFailed: false }, 'SUCCESS'],
  ] as const)('children %j with %j end the task run %s', (states, props, expected) => {
    const s = run([...states], props);
    expect(s.tr().state.current).toBe(expected);
    const counted = Object.values(s.tr().outputs?.iterations as Record<string, number>).reduce(
      (a, b) => a + b,
    );
    expect(counted).toBe(states.length);
  });

  it('allowFailure turns a FAILED batch into a WARNING task run and the flow goes on', () => {
    const s = run(['FAILED', 'SUCCESS'], {}, { allowFailure: true });
    expect(s.h.states()).toEqual({ each: 'WARNING', after: 'SUCCESS' });
  });

  it('an end event counted twice, for an unknown child, or before the children exist changes nothing', () => {
    const s = started();
    const id = s.tr().id;
    s.h.send({ type: 'forEachItemEnded', taskRunId: id, executionId: 'c0', iteration: 0, state: 'SUCCESS' });
    expect(s.tr().outputs).toBeNull();
    s.h.send({ type: 'forEachItemCreated', taskRunId: id, executionIds: ['c0', 'c1'] });
    s.h.send({ type: 'forEachItemCreated', taskRunId: id, executionIds: ['x0'] });
    s.h.send({ type: 'forEachItemEnded', taskRunId: id, executionId: 'c0', iteration: 0, state: 'FAILED' });
    s.h.send({ type: 'forEachItemEnded', taskRunId: id, executionId: 'c0', iteration: 0, state: 'SUCCESS' });
    s.h.send({ type: 'forEachItemEnded', taskRunId: id, executionId: 'zz', iteration: 1, state: 'SUCCESS' });
    expect(s.tr().outputs).toEqual({ numberOfBatches: 2, iterations: { CREATED: 1, RUNNING: 0, FAILED: 1 } });
    expect(s.tr().state.current).toBe('RUNNING');
  });

  it('wait: false ends SUCCESS once the children exist; no batch at all ends SUCCESS at once', () => {
    const s = started({ wait: false });
    s.h.send({ type: 'forEachItemCreated', taskRunId: s.tr().id, executionIds: ['c0'] });
    expect(s.tr().state.current).toBe('SUCCESS');
    expect(s.tr().outputs).toEqual({ numberOfBatches: 1, iterations: { CREATED: 1, RUNNING: 0 } });
    const empty = run([]);
    expect(empty.h.states()).toEqual({ each: 'SUCCESS', after: 'SUCCESS' });
    expect(empty.tr().outputs).toEqual({ numberOfBatches: 0, iterations: { CREATED: 0, RUNNING: 0 } });
  });

  it('children that cannot be created fail the task run with the reason logged', () => {
    const s = started();
    s.h.send({ type: 'forEachItemCreated', taskRunId: s.tr().id, error: "Unable to find flow 'ns'.'child'" });
    expect(s.tr().state.current).toBe('FAILED');
    expect(s.h.commands).toContainEqual(
      expect.objectContaining({ kind: 'log', level: 'ERROR', message: "Unable to find flow 'ns'.'child'" }),
    );
  });
});

describe('decide: ForEachItem kill and restart', () => {
  it('a kill kills the children still running, and the task run is KILLED', () => {
    const s = started();
    const id = s.tr().id;
    s.h.send({ type: 'forEachItemCreated', taskRunId: id, executionIds: ['c0', 'c1', 'c2'] });
    s.h.send({ type: 'forEachItemEnded', taskRunId: id, executionId: 'c1', iteration: 1, state: 'SUCCESS' });
    s.h.send({ type: 'kill' });
    expect(s.h.commands.filter((c) => c.kind === 'killExecution')).toEqual([
      { kind: 'killExecution', executionId: 'c0' },
      { kind: 'killExecution', executionId: 'c2' },
    ]);
    expect(s.tr().state.current).toBe('KILLED');
    expect(s.h.state).toBe('KILLED');
  });

  it('restartBehavior RETRY_FAILED (default) restarts only the failed children and counts them again', () => {
    const s = run(['SUCCESS', 'FAILED', 'FAILED']);
    expect(s.h.state).toBe('FAILED');
    const before = s.h.commands.length;
    s.h.send({ type: 'restart' });
    const after = s.h.commands.slice(before);
    expect(after.filter((c) => c.kind === 'restartExecutions')).toEqual([
      { kind: 'restartExecutions', executionIds: ['child1', 'child2'] },
    ]);
    expect(after.some((c) => c.kind === 'createForEachItem')).toBe(false);
    expect(s.tr().outputs?.iterations).toEqual({ CREATED: 2, RUNNING: 0, SUCCESS: 1, FAILED: 0 });
    const id = s.tr().id;
    s.h.send({
      type: 'forEachItemEnded',
      taskRunId: id,
      executionId: 'child1',
      iteration: 1,
      state: 'SUCCESS',
    });
    s.h.send({
      type: 'forEachItemEnded',
      taskRunId: id,
      executionId: 'child2',
      iteration: 2,
      state: 'SUCCESS',
    });
    expect(s.tr().outputs?.iterations).toEqual({ CREATED: 0, RUNNING: 0, SUCCESS: 3, FAILED: 0 });
    expect(s.h.states()).toEqual({ each: 'SUCCESS', after: 'SUCCESS' });
    expect(s.h.state).toBe('SUCCESS');
  });

  it('restartBehavior NEW_EXECUTION splits again and creates new children for every batch', () => {
    const s = run(['SUCCESS', 'FAILED'], { restartBehavior: 'NEW_EXECUTION' });
    const before = s.h.commands.length;
    s.h.send({ type: 'restart' });
    expect(kinds(s.h.commands.slice(before))).toContain('createForEachItem');
    expect(s.tr().state.current).toBe('RUNNING');
    expect(s.tr().attempts).toHaveLength(2);
  });
});
