import { createRequire } from 'node:module';
import type Holidays from 'date-holidays';

type HolidaysClass = typeof Holidays;
let holidaysClass: HolidaysClass | undefined;
/**
 * `date-holidays` (about 2 MB of calendars, moment-timezone and astronomy),
 * loaded on the first PublicHoliday condition rather than at boot: an
 * instance that never evaluates one never compiles it. The instance bundle
 * keeps it outside (scripts/bundle.mjs), so this `require` reads it from
 * node_modules, as it does under `tsc` output.
 */
function loadHolidays(): HolidaysClass {
  holidaysClass ??= createRequire(import.meta.url)('date-holidays') as HolidaysClass;
  return holidaysClass;
}

/**
 * The parts of a rendered ISO-8601 date-time that the schedule conditions
 * read, in the date's own offset (as Kestra's `DateUtils.parseZonedDateTime`).
 */
export type LocalDateParts = {
  /** `yyyy-MM-dd` as written. */
  day: string;
  year: number;
  month: number;
  dayOfMonth: number;
  /** 0 = Sunday. */
  dayOfWeek: number;
  /** Seconds of the local day. */
  seconds: number;
  /** The offset from UTC, in seconds (`Z` = 0). */
  offsetSeconds: number;
  epochMs: number;
};

/** Reads `2025-03-03T11:00:00+01:00` (or `Z`, or a zone id in brackets after it); undefined if it is not one. */
export function parseLocalDate(text: string): LocalDateParts | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/.exec(
    text.trim(),
  );
  const epochMs = Date.parse(text.trim().replace(/\[.*\]$/, ''));
  if (!m || Number.isNaN(epochMs)) return undefined;
  const [, y, mo, d, h, mi, se, off] = m;
  const year = Number(y);
  const month = Number(mo);
  const dayOfMonth = Number(d);
  return {
    day: `${y}-${mo}-${d}`,
    year,
    month,
    dayOfMonth,
    dayOfWeek: new Date(Date.UTC(year, month - 1, dayOfMonth)).getUTCDay(),
    seconds: Number(h) * 3600 + Number(mi) * 60 + Number(se ?? 0),
    offsetSeconds: offsetOf(off),
    epochMs,
  };
}

function offsetOf(off: string | undefined): number {
  if (off === undefined || off === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(off);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
}

export const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
const ORDINALS = ['FIRST', 'SECOND', 'THIRD', 'FOURTH'];

/**
 * Kestra's `DayWeekInMonth`: the date is that day of the week, and the
 * FIRST/SECOND/THIRD/FOURTH/LAST one of its month.
 *
 * @example
 * dayWeekInMonth(parseLocalDate('2025-03-29T11:00:00Z')!, 'SATURDAY', 'LAST'); // true
 */
export function dayWeekInMonth(d: LocalDateParts, dayOfWeek: string, dayInMonth: string): boolean {
  if (DAYS[d.dayOfWeek] !== dayOfWeek.toUpperCase()) return false;
  const which = dayInMonth.toUpperCase();
  if (which === 'LAST') {
    const daysInMonth = new Date(Date.UTC(d.year, d.month, 0)).getUTCDate();
    return d.dayOfMonth + 7 > daysInMonth;
  }
  const n = ORDINALS.indexOf(which);
  if (n < 0)
    throw new Error(`invalid dayInMonth '${dayInMonth}': expected FIRST, SECOND, THIRD, FOURTH or LAST`);
  return Math.floor((d.dayOfMonth - 1) / 7) === n;
}

const calendars = new Map<string, Holidays>();

/**
 * Kestra's `PublicHoliday`: the local day of the date is a public holiday of
 * `country` (ISO 3166 code, optional `subDivision` such as `FR-A` or `BY`),
 * from the `date-holidays` calendars.
 *
 * @example
 * isPublicHoliday(parseLocalDate('2025-07-14T11:00:00Z')!, 'FR'); // true
 */
export function isPublicHoliday(d: LocalDateParts, country: string, subDivision?: string): boolean {
  const sub = subDivision?.replace(new RegExp(`^${country}-`, 'i'), '');
  const key = `${country}/${sub ?? ''}`;
  let cal = calendars.get(key);
  if (!cal) {
    const Calendar = loadHolidays();
    cal = sub ? new Calendar(country, sub) : new Calendar(country);
    if (cal.getCountries()[country.toUpperCase()] === undefined)
      throw new Error(`unknown country '${country}' for PublicHoliday`);
    calendars.set(key, cal);
  }
  return cal
    .getHolidays(d.year)
    .some((h: { date: string; type: string }) => h.type === 'public' && h.date.slice(0, 10) === d.day);
}

/** `HH:mm[:ss][offset]` as seconds of the UTC day (an offset-less time is in `defaultOffset`, the date's own). */
function utcSecondsOf(text: string, defaultOffset: number): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) throw new Error(`invalid time '${text}', expected HH:mm:ss with an offset such as 08:00:00+02:00`);
  const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
  return mod(local - (m[4] === undefined ? defaultOffset : offsetOf(m[4])), 86_400);
}
const mod = (a: number, n: number) => ((a % n) + n) % n;

/**
 * Kestra's `TimeBetween` (Java `OffsetTime` comparisons: instants, both ends
 * excluded; `after` later than `before` is a range across midnight).
 *
 * @example
 * timeBetween(parseLocalDate('2025-03-03T07:00:00Z')!, '08:00:00+02:00', '17:00:00+02:00'); // true
 */
export function timeBetween(d: LocalDateParts, after?: string, before?: string): boolean {
  const t = mod(d.seconds - d.offsetSeconds, 86_400);
  const a = after === undefined ? undefined : utcSecondsOf(after, d.offsetSeconds);
  const b = before === undefined ? undefined : utcSecondsOf(before, d.offsetSeconds);
  if (a !== undefined && b !== undefined) return a < b ? t > a && t < b : t > a || t < b;
  if (b !== undefined) return t < b;
  if (a !== undefined) return t > a;
  throw new Error("Invalid condition: no 'before' or 'after' value defined");
}
