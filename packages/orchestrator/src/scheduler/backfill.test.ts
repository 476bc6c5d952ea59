import { beforeEach, describe, expect, it } from 'vitest';
import type { Flow } from '../flow/flow-model.js';
import { parseFlow } from '../flow/parse-flow.js';
import { openDatabase } from '../sqlite/database.js';
import { SqliteTriggerStateRepository } from '../sqlite/sqlite-trigger-state.js';
import { type FireRequest, Scheduler } from './scheduler.js';

let now: Date;
let created: FireRequest[];
let repository: SqliteTriggerStateRepository;
const scheduler = () =>
  new Scheduler({
    repository,
    clock: { now: () => now },
    createExecution: (r) => {
      created.push(r);
      return `exec-${created.length}`;
    },
  });

function flowOf(schedule: string[]): Flow {
  const r = parseFlow(
    [
      'id: taxi',
      'namespace: company.team',
      'tasks:',
      '  - id: l',
      '    type: io.kestra.plugin.core.log.Log',
      '    message: hi',
      'triggers:',
      '  - id: schedule',
      '    type: io.kestra.plugin.core.trigger.Schedule',
      ...schedule.map((l) => `    ${l}`),
    ].join('\n'),
  );
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  return r.flow;
}
const fired = () => created.map((r) => String(r.variables.date));

beforeEach(() => {
  repository = new SqliteTriggerStateRepository(openDatabase(':memory:'));
  created = [];
});

describe('Schedule backfill', () => {
  it('starts every past fire from start to now once, in the trigger zone, then goes on as usual', () => {
    const flow = flowOf([
      'cron: 0 8 1 * *',
      'timezone: US/Eastern',
      'backfill:',
      '  start: 2023-01-01T00:00:00Z',
    ]);
    now = new Date('2023-04-15T12:00:00Z');
    const s = scheduler();
    const first = s.tick([flow]);
    expect(fired()).toEqual([
      '2023-01-01T08:00:00-05:00',
      '2023-02-01T08:00:00-05:00',
      '2023-03-01T08:00:00-05:00',
      '2023-04-01T08:00:00-04:00',
    ]);
    expect(first.nextWakeAt?.toISOString()).toBe('2023-05-01T12:00:00.000Z');
    now = new Date('2023-04-20T00:00:00Z');
    s.tick([flow]);
    expect(created, 'not started twice').toHaveLength(4);
    now = new Date('2023-05-01T12:00:00Z');
    s.tick([flow]);
    expect(fired().at(-1)).toBe('2023-05-01T08:00:00-04:00');
  });

  it('stops at end, and a new backfill (changed start) runs again without twins', () => {
    now = new Date('2023-06-10T00:00:00Z');
    const bounded = flowOf([
      'cron: 0 0 1 * *',
      'backfill:',
      '  start: 2023-01-01T00:00:00Z',
      '  end: 2023-03-01T00:00:00Z',
    ]);
    scheduler().tick([bounded]);
    expect(fired()).toEqual(['2023-01-01T00:00:00Z', '2023-02-01T00:00:00Z', '2023-03-01T00:00:00Z']);
    const wider = flowOf([
      'cron: 0 0 1 * *',
      'backfill:',
      '  start: 2022-12-01T00:00:00Z',
      '  end: 2023-04-01T00:00:00Z',
    ]);
    scheduler().tick([wider]);
    expect(fired().slice(3), 'only the fires not recorded yet').toEqual([
      '2022-12-01T00:00:00Z',
      '2023-04-01T00:00:00Z',
    ]);
  });

  it('refuses a backfill key it does not execute, or a bad date', () => {
    const bad = (lines: string[]) => () => flowOf(['cron: 0 0 1 * *', 'backfill:', ...lines]);
    expect(bad(['  start: 2023-01-01T00:00:00Z', '  labels: { a: b }'])).toThrow(/backfill/);
    expect(bad(['  end: 2023-01-01T00:00:00Z'])).toThrow(/backfill\.start/);
  });
});
