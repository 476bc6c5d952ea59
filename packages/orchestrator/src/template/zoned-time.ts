import { FilterFailure } from './call-args.js';

/** Calendar fields of an instant seen in a time zone. */
export type ZonedTime = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Extra sub-millisecond digits carried from an ISO string (micro/nanoseconds), 0–999999. */
  nanoOfMilli: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Offset from UTC in minutes (east positive). */
  offsetMinutes: number;
  zone: string;
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new FilterFailure(`Unknown time zone '${zone}'`);
    }
    if (formatters.size > 500) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** The fields of `date` in `zone` (an IANA name, `UTC`, or an offset like `+02:00`). */
export function zonedTime(date: Date, zone: string, nanoOfMilli = 0): ZonedTime {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new FilterFailure('Invalid date');
  const fixed = parseFixedOffset(zone);
  if (fixed !== undefined) return fromUtcFields(new Date(ms + fixed * 60_000), fixed, zone, nanoOfMilli);
  const parts: Record<string, number> = {};
  for (const p of formatterFor(zone).formatToParts(date)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const localAsUtc = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  const wholeSecond = ms - (((ms % 1000) + 1000) % 1000);
  const offsetMinutes = Math.round((localAsUtc - wholeSecond) / 60_000);
  return fromUtcFields(new Date(ms + offsetMinutes * 60_000), offsetMinutes, zone, nanoOfMilli);
}

function fromUtcFields(shifted: Date, offsetMinutes: number, zone: string, nanoOfMilli: number): ZonedTime {
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    millisecond: shifted.getUTCMilliseconds(),
    nanoOfMilli,
    weekday: shifted.getUTCDay(),
    offsetMinutes,
    zone,
  };
}

/** `Z`, `UTC`, `+02:00`, `-0530` → minutes; undefined for region names. */
export function parseFixedOffset(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'UTC' || zone === 'GMT') return 0;
  const m = /^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$/.exec(zone);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

/** Offset of `zone` at the UTC instant `ms`, in minutes. */
export function offsetAt(ms: number, zone: string): number {
  return zonedTime(new Date(ms), zone).offsetMinutes;
}
