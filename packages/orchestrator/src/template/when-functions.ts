import {
  DAYS,
  dayWeekInMonth,
  isPublicHoliday,
  type LocalDateParts,
  parseLocalDate,
} from '../triggers/calendar-conditions.js';
import type { BuiltinFunction } from './builtin-types.js';
import { FilterFailure } from './call-args.js';

/** The date argument, read in its own offset: an ISO date-time string or a `Date`. */
function dateArg(fn: string, value: unknown): LocalDateParts {
  const text = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : undefined;
  const d = text === undefined ? undefined : parseLocalDate(text);
  if (!d) throw new FilterFailure(`${fn}: expected a date-time such as trigger.date, got ${String(value)}`);
  return d;
}

const WORKING_DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'];

/** The last day of the month of `d` that is a working day. */
function lastWorkingDay(d: LocalDateParts, working: readonly string[]): number {
  const days = new Date(Date.UTC(d.year, d.month, 0)).getUTCDate();
  for (let day = days; day >= 1; day--) {
    const dow = DAYS[new Date(Date.UTC(d.year, d.month - 1, day)).getUTCDay()]!;
    if (working.includes(dow)) return day;
  }
  return -1;
}

/**
 * Kestra 2.0's date helpers for trigger `when` expressions (migration guide,
 * "trigger conditions redesign"): the 1.3 schedule conditions as functions.
 *
 * @example
 * render("{{ not isWeekend(trigger.date) }}", { trigger: { date: '2026-11-30T09:00:00Z' } }); // 'true'
 */
export const WHEN_FUNCTIONS: ReadonlyArray<[string, BuiltinFunction]> = [
  ['isWeekend', (a) => [0, 6].includes(dateArg('isWeekend', a.get(0, 'date')).dayOfWeek)],
  [
    'isPublicHoliday',
    (a) =>
      isPublicHoliday(
        dateArg('isPublicHoliday', a.get(0, 'date')),
        String(a.get(1, 'country') ?? 'US'),
        (a.get(2, 'subdivision') as string | null | undefined) ?? undefined,
      ),
  ],
  [
    'isDayWeekInMonth',
    (a) =>
      dayWeekInMonth(
        dateArg('isDayWeekInMonth', a.get(0, 'date')),
        String(a.get(1, 'dayOfWeek')),
        String(a.get(2, 'dayInMonth')),
      ),
  ],
  [
    'isLastWorkingDay',
    (a) => {
      const d = dateArg('isLastWorkingDay', a.get(0, 'date'));
      const raw = a.get(1, 'workingDays');
      const working = Array.isArray(raw) ? raw.map((x) => String(x).toUpperCase()) : WORKING_DAYS;
      return d.dayOfMonth === lastWorkingDay(d, working);
    },
  ],
  ['dayOfWeek', (a) => DAYS[dateArg('dayOfWeek', a.get(0, 'date')).dayOfWeek]],
  ['hourOfDay', (a) => Math.floor(dateArg('hourOfDay', a.get(0, 'date')).seconds / 3600)],
  ['dayOfMonth', (a) => dateArg('dayOfMonth', a.get(0, 'date')).dayOfMonth],
  ['monthOfYear', (a) => dateArg('monthOfYear', a.get(0, 'date')).month],
  [
    // `loopOutputs(outputs.<loop>.outputs, 'id')`: one declared output of every iteration.
    'loopOutputs',
    (a) => {
      const list = a.get(0, 'outputs');
      const id = String(a.get(1, 'id'));
      if (!Array.isArray(list)) throw new FilterFailure('loopOutputs: expected the outputs list of a Loop');
      return list.map((e) => (e as { outputs?: Record<string, unknown> } | null)?.outputs?.[id] ?? null);
    },
  ],
];
