import { describe, expect, it } from 'vitest';
import type { Trigger } from '../flow/flow-model.js';
import { formatInZone, parseSchedule, SCHEDULE_TRIGGER_TYPE, ScheduleError } from './schedule.js';

const trigger = (props: Record<string, unknown>, extra: Partial<Trigger> = {}): Trigger => ({
  id: 'schedule',
  type: SCHEDULE_TRIGGER_TYPE,
  disabled: false,
  conditions: [],
  props,
  ...extra,
});
const iso = (dates: Array<Date | undefined>) => dates.map((d) => d?.toISOString());

describe('parseSchedule', () => {
  it('reads the properties with their defaults', () => {
    expect(parseSchedule(trigger({ cron: '0 9 * * *' })).spec).toEqual({
      triggerId: 'schedule',
      cron: '0 9 * * *',
      withSeconds: false,
      timezone: 'UTC',
      stopAfter: [],
      recoverMissedSchedules: 'ALL',
      inputs: {},
      disabled: false,
    });
    const full = parseSchedule(
      trigger({
        cron: '*/10 * * * * *',
        withSeconds: true,
        timezone: 'Europe/Paris',
        stopAfter: ['FAILED'],
        recoverMissedSchedules: 'LAST',
        inputs: { a: 1 },
        lateMaximumDelay: 'PT1M',
      }),
    ).spec;
    expect(full).toMatchObject({
      withSeconds: true,
      timezone: 'Europe/Paris',
      stopAfter: ['FAILED'],
      lateMaximumDelayMs: 60_000,
    });
    expect(
      parseSchedule(trigger({ cron: '@daily' }), { timezone: 'Asia/Tokyo', recoverMissedSchedules: 'NONE' })
        .spec,
    ).toMatchObject({
      timezone: 'Asia/Tokyo',
      recoverMissedSchedules: 'NONE',
    });
  });

  it.each([
    [{}, 'cron', "property 'cron' is required"],
    [{ cron: 'every day' }, 'cron', "invalid cron expression 'every day': expected 5 fields"],
    [
      { cron: '0 0 9 * * *' },
      'cron',
      'expected 5 fields (minute hour day month weekday), or set withSeconds: true, got 6',
    ],
    [{ cron: '0 9 * * *', withSeconds: true }, 'cron', 'withSeconds needs 6 fields'],
    [{ cron: '61 * * * *' }, 'cron', "invalid cron expression '61 * * * *': Invalid value for minute: 61"],
    [{ cron: '@reboot' }, 'cron', "invalid cron expression '@reboot'"],
    [{ cron: '* * * * *', timezone: 'Mars/Base' }, 'timezone', "invalid timezone 'Mars/Base'"],
    [
      { cron: '* * * * *', recoverMissedSchedules: 'SOME' },
      'recoverMissedSchedules',
      'must be ALL, LAST or NONE',
    ],
    [{ cron: '* * * * *', stopAfter: 'FAILED' }, 'stopAfter', 'stopAfter must be a list'],
    [
      { cron: '* * * * *', lateMaximumDelay: 'soon' },
      'lateMaximumDelay',
      'lateMaximumDelay must be an ISO-8601 duration',
    ],
  ])('rejects %j with an error naming %s', (props, property, message) => {
    let error: unknown;
    try {
      parseSchedule(trigger(props));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScheduleError);
    expect((error as ScheduleError).property).toBe(property);
    expect((error as ScheduleError).message).toContain(message);
    expect((error as ScheduleError).message).toMatch(/^Trigger 'schedule': /);
  });
});

describe('Schedule fire times', () => {
  it.each([
    ['@hourly', '2025-01-01T01:00:00.000Z'],
    ['@daily', '2025-01-02T00:00:00.000Z'],
    ['@midnight', '2025-01-02T00:00:00.000Z'],
    ['@weekly', '2025-01-05T00:00:00.000Z'],
    ['@monthly', '2025-02-01T00:00:00.000Z'],
    ['@yearly', '2026-01-01T00:00:00.000Z'],
    ['@annually', '2026-01-01T00:00:00.000Z'],
    ['*/15 * * * *', '2025-01-01T00:15:00.000Z'],
  ])('%s fires next at %s', (cron, expected) => {
    expect(
      parseSchedule(trigger({ cron })).nextFireAfter(new Date('2025-01-01T00:00:00Z'))?.toISOString(),
    ).toBe(expected);
  });

  it('uses seconds with withSeconds, and is exclusive of the given date', () => {
    const s = parseSchedule(trigger({ cron: '*/10 * * * * *', withSeconds: true }));
    expect(iso(s.firesBetween(new Date('2025-01-01T00:00:00Z'), new Date('2025-01-01T00:00:30Z')))).toEqual([
      '2025-01-01T00:00:10.000Z',
      '2025-01-01T00:00:20.000Z',
      '2025-01-01T00:00:30.000Z',
    ]);
    expect(
      s.firesBetween(new Date('2025-01-01T00:00:00Z'), new Date('2025-01-01T01:00:00Z'), 4),
    ).toHaveLength(4);
  });

  it('never fires for an impossible date', () => {
    const s = parseSchedule(trigger({ cron: '0 0 31 2 *' }));
    expect(s.nextFireAfter(new Date('2025-01-01T00:00:00Z'))).toBeUndefined();
    expect(s.triggerVariables(new Date('2025-01-01T00:00:00Z')).next).toBeNull();
  });

  it('reads the cron in its timezone', () => {
    const s = parseSchedule(trigger({ cron: '0 9 * * 1-5', timezone: 'America/New_York' }));
    expect(s.nextFireAfter(new Date('2025-01-03T15:00:00Z'))?.toISOString()).toBe('2025-01-06T14:00:00.000Z');
  });

  it('gives trigger.date, next and previous in the trigger zone', () => {
    const s = parseSchedule(trigger({ cron: '0 * * * *' }));
    expect(s.triggerVariables(new Date('2025-01-01T10:00:00Z'))).toEqual({
      date: '2025-01-01T10:00:00Z',
      next: '2025-01-01T11:00:00Z',
      previous: '2025-01-01T09:00:00Z',
    });
    const yearly = parseSchedule(trigger({ cron: '0 0 29 2 *', timezone: 'Asia/Kolkata' }));
    expect(yearly.triggerVariables(new Date('2028-02-28T18:30:00Z'))).toEqual({
      date: '2028-02-29T00:00:00+05:30',
      next: '2032-02-29T00:00:00+05:30',
      previous: '2024-02-29T00:00:00+05:30',
    });
  });
});

describe('Schedule across daylight saving time (Europe/Paris, 2025)', () => {
  it('spring forward: 02:30 does not exist on March 30 and fires at 03:30 CEST', () => {
    const s = parseSchedule(trigger({ cron: '30 2 * * *', timezone: 'Europe/Paris' }));
    const fires = s.firesBetween(new Date('2025-03-28T12:00:00Z'), new Date('2025-03-31T12:00:00Z'));
    expect(fires.map((d) => formatInZone(d, 'Europe/Paris'))).toEqual([
      '2025-03-29T02:30:00+01:00',
      '2025-03-30T03:30:00+02:00',
      '2025-03-31T02:30:00+02:00',
    ]);
  });

  it('spring forward: an hourly schedule fires 23 times that day, never twice at one instant', () => {
    const s = parseSchedule(trigger({ cron: '0 * * * *', timezone: 'Europe/Paris' }));
    const fires = s.firesBetween(new Date('2025-03-29T22:59:59Z'), new Date('2025-03-30T21:59:59Z'));
    expect(fires).toHaveLength(23);
    expect(new Set(fires.map((d) => d.getTime())).size).toBe(23);
  });

  it('fall back: 02:30 occurs twice on October 26 and fires once', () => {
    const s = parseSchedule(trigger({ cron: '30 2 * * *', timezone: 'Europe/Paris' }));
    const fires = s.firesBetween(new Date('2025-10-25T12:00:00Z'), new Date('2025-10-27T12:00:00Z'));
    expect(fires.map((d) => formatInZone(d, 'Europe/Paris'))).toEqual([
      '2025-10-26T02:30:00+01:00',
      '2025-10-27T02:30:00+01:00',
    ]);
  });

  it('fall back: trigger variables carry the offset of each side of the change', () => {
    const s = parseSchedule(trigger({ cron: '0 3 * * *', timezone: 'Europe/Paris' }));
    expect(s.triggerVariables(new Date('2025-10-26T02:00:00Z'))).toEqual({
      date: '2025-10-26T03:00:00+01:00',
      next: '2025-10-27T03:00:00+01:00',
      previous: '2025-10-25T03:00:00+02:00',
    });
  });
});
