import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Flow, Trigger } from '../flow/flow-model.js';
import { openDatabase, type SqliteDatabase } from '../sqlite/database.js';
import { SqliteTriggerStateRepository } from '../sqlite/sqlite-trigger-state.js';
import { SCHEDULE_TRIGGER_TYPE } from './schedule.js';
import { type FireRequest, Scheduler } from './scheduler.js';

let db: SqliteDatabase;
let repository: SqliteTriggerStateRepository;
let now: Date;
let created: FireRequest[];
let failNext: boolean;
const clock = { now: () => now };

function scheduler(options: { missedAfterMs?: number; maxFiresPerTick?: number } = {}): Scheduler {
  return new Scheduler({
    repository,
    clock,
    createExecution: (request) => {
      if (failNext) {
        failNext = false;
        throw new Error('database is locked');
      }
      created.push(request);
      return `exec-${created.length}`;
    },
    ...options,
  });
}

function flow(
  props: Record<string, unknown>,
  extra: { trigger?: Partial<Trigger>; flow?: Partial<Flow> } = {},
): Flow {
  return {
    id: 'hello',
    namespace: 'company.team',
    revision: 1,
    labels: [],
    inputs: [],
    variables: {},
    tasks: [],
    errors: [],
    finally: [],
    afterExecution: [],
    outputs: [],
    disabled: false,
    pluginDefaults: [],
    triggers: [
      {
        id: 'schedule',
        type: SCHEDULE_TRIGGER_TYPE,
        disabled: false,
        conditions: [],
        props,
        ...extra.trigger,
      },
    ],
    ...extra.flow,
  };
}

const at = (text: string) => {
  now = new Date(text);
};
const fired = () => created.map((r) => r.fireDate.toISOString());
const key = { namespace: 'company.team', flowId: 'hello', triggerId: 'schedule' };

beforeEach(() => {
  db = openDatabase(':memory:');
  repository = new SqliteTriggerStateRepository(db);
  created = [];
  failNext = false;
  at('2025-01-01T09:30:00Z');
});
afterEach(() => db.close());

describe('Scheduler', () => {
  it('skips a fire its conditions reject (no execution, no retry) and goes on', () => {
    const s = new Scheduler({
      repository,
      clock,
      shouldFire: (r) => r.fireDate.getUTCHours() % 2 === 0,
      createExecution: (request) => {
        created.push(request);
        return `exec-${created.length}`;
      },
    });
    const f = flow({ cron: '0 * * * *' });
    s.tick([f]);
    for (const t of ['2025-01-01T10:00:00Z', '2025-01-01T11:00:00Z', '2025-01-01T12:00:00Z']) {
      at(t);
      s.tick([f]);
    }
    expect(fired()).toEqual(['2025-01-01T10:00:00.000Z', '2025-01-01T12:00:00.000Z']);
  });

  it('does not fire the past when it first sees a trigger, then fires each time once', () => {
    const s = scheduler();
    const flows = [flow({ cron: '0 * * * *', inputs: { n: 1 } })];
    expect(s.tick(flows)).toEqual({ fires: [], errors: [], nextWakeAt: new Date('2025-01-01T10:00:00Z') });
    at('2025-01-01T09:59:59.999Z');
    expect(s.tick(flows).fires).toEqual([]);
    at('2025-01-01T10:00:00.200Z');
    const result = s.tick(flows);
    expect(result.fires).toEqual([
      { key, fireDate: new Date('2025-01-01T10:00:00Z'), executionId: 'exec-1', created: true },
    ]);
    expect(result.nextWakeAt).toEqual(new Date('2025-01-01T11:00:00Z'));
    expect(created[0]).toMatchObject({
      key,
      inputs: { n: 1 },
      variables: {
        date: '2025-01-01T10:00:00Z',
        next: '2025-01-01T11:00:00Z',
        previous: '2025-01-01T09:00:00Z',
      },
    });
    expect(s.tick(flows).fires).toEqual([]);
    expect(repository.get(key)).toMatchObject({
      lastFireAt: '2025-01-01T10:00:00.000Z',
      nextFireAt: '2025-01-01T11:00:00.000Z',
      disabled: false,
    });
  });

  it('never records a fire twice, even when its state was lost after the fire (crash between writes)', () => {
    const s = scheduler();
    const flows = [flow({ cron: '0 * * * *' })];
    s.tick(flows);
    const before = repository.get(key)!;
    at('2025-01-01T10:00:01Z');
    s.tick(flows);
    repository.save(before); // as if the state update after the fire had been lost
    const again = s.tick(flows);
    expect(again.fires).toEqual([
      { key, fireDate: new Date('2025-01-01T10:00:00Z'), executionId: 'exec-1', created: false },
    ]);
    expect(created).toHaveLength(1);
    expect(repository.findFire(key, '2025-01-01T10:00:00.000Z')).toBe('exec-1');
  });

  it('a second scheduler on the same database (restart) does not fire again', () => {
    const flows = [flow({ cron: '0 * * * *' })];
    scheduler().tick(flows);
    at('2025-01-01T10:00:01Z');
    scheduler().tick(flows);
    scheduler().tick(flows);
    expect(fired()).toEqual(['2025-01-01T10:00:00.000Z']);
  });

  describe.each([
    ['ALL', '2025-01-01T13:30:00Z', ['10:00', '11:00', '12:00', '13:00']],
    ['LAST', '2025-01-01T13:30:00Z', ['13:00']],
    ['NONE', '2025-01-01T13:30:00Z', []],
    ['NONE', '2025-01-01T13:00:30Z', ['13:00']],
    ['LAST', '2025-01-01T13:00:30Z', ['13:00']],
  ])('recoverMissedSchedules %s, instance back at %s', (policy, back, expected) => {
    it(`fires ${expected.join(', ') || 'nothing'}, then resumes on schedule`, () => {
      const s = scheduler();
      const flows = [flow({ cron: '0 * * * *', recoverMissedSchedules: policy })];
      s.tick(flows); // 09:30: next is 10:00; then the instance stops
      at(back);
      const result = s.tick(flows);
      expect(fired().map((d) => d.slice(11, 16))).toEqual(expected);
      expect(result.nextWakeAt).toEqual(new Date('2025-01-01T14:00:00Z'));
      at('2025-01-01T14:00:00Z');
      s.tick(flows);
      expect(fired().at(-1)).toBe('2025-01-01T14:00:00.000Z');
    });
  });

  it('recovers a long outage with ALL in bounded batches, oldest first', () => {
    const s = scheduler({ maxFiresPerTick: 10 });
    const flows = [flow({ cron: '* * * * *' })];
    s.tick(flows);
    at('2025-01-01T10:00:30Z'); // 30 missed minutes: 09:31 .. 10:00
    const first = s.tick(flows);
    expect(first.fires).toHaveLength(10);
    expect(first.nextWakeAt).toEqual(new Date('2025-01-01T09:41:00Z'));
    s.tick(flows);
    s.tick(flows);
    expect(fired()).toHaveLength(30);
    expect(fired()[0]).toBe('2025-01-01T09:31:00.000Z');
    expect(fired().at(-1)).toBe('2025-01-01T10:00:00.000Z');
    expect(s.tick(flows).fires).toEqual([]);
  });

  it('skips fires later than lateMaximumDelay', () => {
    const s = scheduler();
    const flows = [flow({ cron: '0 * * * *', lateMaximumDelay: 'PT15M', lateMaximumDelayMs: 15 * 60_000 })];
    s.tick(flows);
    at('2025-01-01T11:10:00Z');
    s.tick(flows);
    expect(fired()).toEqual(['2025-01-01T11:00:00.000Z']);
  });

  it('retries a fire whose execution could not be created, without losing it', () => {
    const s = scheduler();
    const flows = [flow({ cron: '0 * * * *' })];
    s.tick(flows);
    at('2025-01-01T10:00:01Z');
    failNext = true;
    const failed = s.tick(flows);
    expect(failed.errors).toEqual([
      { key, message: 'fire of 2025-01-01T10:00:00.000Z failed: database is locked' },
    ]);
    expect(failed.nextWakeAt).toEqual(new Date('2025-01-01T10:00:00Z'));
    expect(repository.findFire(key, '2025-01-01T10:00:00.000Z')).toBeUndefined();
    at('2025-01-01T10:00:02Z');
    expect(s.tick(flows).fires).toHaveLength(1);
    expect(fired()).toEqual(['2025-01-01T10:00:00.000Z']);
  });

  it('ignores disabled flows and triggers, reports bad crons, and restarts from now when the cron changes', () => {
    const s = scheduler();
    expect(s.tick([flow({ cron: '0 * * * *' }, { flow: { disabled: true } })]).nextWakeAt).toBeNull();
    expect(s.tick([flow({ cron: '0 * * * *' }, { trigger: { disabled: true } })]).nextWakeAt).toBeNull();
    expect(s.tick([flow({ cron: 'nope' })]).errors[0]?.message).toContain("invalid cron expression 'nope'");
    s.tick([flow({ cron: '0 * * * *' })]);
    at('2025-01-01T12:30:00Z');
    const changed = s.tick([flow({ cron: '45 * * * *' })]);
    expect(changed.fires).toEqual([]);
    expect(changed.nextWakeAt).toEqual(new Date('2025-01-01T12:45:00Z'));
  });

  it('disables the trigger after an execution ends in a stopAfter state; re-enabling skips what was missed', () => {
    const s = scheduler();
    const f = flow({ cron: '0 * * * *', stopAfter: ['FAILED'] });
    s.tick([f]);
    expect(s.onExecutionEnded(f, 'schedule', 'SUCCESS')).toBe(false);
    expect(s.onExecutionEnded(f, 'schedule', 'FAILED')).toBe(true);
    at('2025-01-01T12:00:01Z');
    expect(s.tick([f])).toEqual({ fires: [], errors: [], nextWakeAt: null });
    expect(s.nextWakeAt([f])).toBeNull();
    s.setDisabled(key, false);
    expect(s.tick([f]).nextWakeAt).toEqual(new Date('2025-01-01T13:00:00Z'));
    expect(created).toEqual([]);
  });

  it('reports nextWakeAt across flows without firing', () => {
    const s = scheduler();
    const flows = [
      flow({ cron: '0 * * * *' }),
      { ...flow({ cron: '*/5 * * * *' }), id: 'other' },
      { ...flow({ cron: '0 0 31 2 *' }), id: 'never' },
    ];
    expect(s.nextWakeAt(flows)).toEqual(new Date('2025-01-01T09:35:00Z'));
    s.tick(flows);
    at('2025-01-01T09:36:00Z');
    expect(s.nextWakeAt(flows)).toEqual(new Date('2025-01-01T09:35:00Z')); // due, not yet ticked
    expect(created).toEqual([]);
  });

  it('fires at the shifted time across spring forward in the trigger zone', () => {
    const s = scheduler();
    const flows = [flow({ cron: '30 2 * * *', timezone: 'Europe/Paris' })];
    at('2025-03-29T12:00:00Z');
    expect(s.tick(flows).nextWakeAt).toEqual(new Date('2025-03-30T01:30:00Z'));
    at('2025-03-30T01:30:00Z');
    s.tick(flows);
    expect(created[0]?.variables).toEqual({
      date: '2025-03-30T03:30:00+02:00',
      next: '2025-03-31T02:30:00+02:00',
      previous: '2025-03-29T02:30:00+01:00',
    });
  });
});
