import { describe, expect, it } from 'vitest';
import { render } from './index.js';

const at = (date: string, template: string) => render(template, { trigger: { date } });

describe('Kestra 2.0 date helpers for trigger `when`', () => {
  it.each([
    // 2026-11-28 is a Saturday; 2026-11-30 a Monday.
    ['2026-11-28T09:00:00Z', '{{ isWeekend(trigger.date) }}', 'true'],
    ['2026-11-30T09:00:00Z', '{{ not isWeekend(trigger.date) }}', 'true'],
    ['2026-11-30T09:00:00Z', '{{ dayOfWeek(trigger.date) }}', 'MONDAY'],
    ['2026-11-30T23:30:00-02:00', '{{ hourOfDay(trigger.date) }}', '23'],
    ['2026-11-30T09:00:00Z', '{{ dayOfMonth(trigger.date) }}-{{ monthOfYear(trigger.date) }}', '30-11'],
    ['2026-11-02T09:00:00Z', "{{ isDayWeekInMonth(trigger.date, 'MONDAY', 'FIRST') }}", 'true'],
    ['2026-11-30T09:00:00Z', "{{ isDayWeekInMonth(trigger.date, 'MONDAY', 'LAST') }}", 'true'],
    ['2026-11-30T09:00:00Z', '{{ isLastWorkingDay(trigger.date) }}', 'true'],
    ['2026-11-27T09:00:00Z', '{{ isLastWorkingDay(trigger.date) }}', 'false'],
    ['2026-12-25T09:00:00Z', "{{ isPublicHoliday(trigger.date, 'FR') }}", 'true'],
    ['2026-12-24T09:00:00Z', "{{ isPublicHoliday(trigger.date, 'FR') }}", 'false'],
  ])('%s: %s → %s', (date, template, expected) => {
    expect(at(date, template)).toBe(expected);
  });

  it('fails clearly on something that is not a date', () => {
    expect(() => at('soon', '{{ isWeekend(trigger.date) }}')).toThrow(/isWeekend: expected a date-time/);
  });

  it('loopOutputs() picks one declared output of every iteration', () => {
    const outputs = [{ outputs: { msg: 'a' } }, { outputs: { msg: 'b' } }, { outputs: {} }];
    expect(render("{{ loopOutputs(o, 'msg') | join(',') }}", { o: outputs })).toBe('a,b,');
  });
});
