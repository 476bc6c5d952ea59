import type { FilterFn } from '../builtin-types.js';
import { type CallArgs, FilterFailure } from '../call-args.js';
import { asInt, asString } from '../coerce.js';
import { formatJavaDate } from '../format-java-date.js';
import { type Instant, localToUtc, parseDateInput, zoneArg } from '../parse-date-input.js';
import { zonedTime } from '../zoned-time.js';

const FIXED_UNITS_MS: Record<string, number> = {
  MILLIS: 1,
  SECONDS: 1000,
  MINUTES: 60_000,
  HOURS: 3_600_000,
  HALF_DAYS: 43_200_000,
};

/** Formats an instant with the `format`, `timeZone` arguments at the given positions (Kestra default: `iso`). */
export function formatInstant(instant: Instant, args: CallArgs, formatIndex: number): string {
  const format = asString(args.get(formatIndex, 'format') ?? 'iso');
  const zone = zoneArg(args.get(formatIndex + 1, 'timeZone'));
  return formatJavaDate(zonedTime(instant.date, zone, instant.nanoOfMilli), format);
}

function input(value: unknown, args: CallArgs, zoneIndex: number): Instant {
  const existing = args.get(zoneIndex + 1, 'existingFormat');
  return parseDateInput(
    value,
    zoneArg(args.get(zoneIndex, 'timeZone')),
    existing === undefined || existing === null ? undefined : asString(existing),
  );
}

/** `date + amount unit`, calendar-aware for DAYS and longer (in the zone, as `ZonedDateTime.plus`). */
export function addToInstant(instant: Instant, amount: number, unit: string, zone: string): Instant {
  const u = unit.toUpperCase();
  const fixed = FIXED_UNITS_MS[u];
  if (fixed !== undefined)
    return { date: new Date(instant.date.getTime() + amount * fixed), nanoOfMilli: instant.nanoOfMilli };
  if (u === 'NANOS' || u === 'MICROS') {
    const perUnit = u === 'NANOS' ? 1 : 1000;
    const totalNanos = instant.nanoOfMilli + amount * perUnit;
    const carryMs = Math.floor(totalNanos / 1_000_000);
    return {
      date: new Date(instant.date.getTime() + carryMs),
      nanoOfMilli: totalNanos - carryMs * 1_000_000,
    };
  }
  const t = zonedTime(instant.date, zone);
  let { year, month, day } = t;
  if (u === 'DAYS') day += amount;
  else if (u === 'WEEKS') day += amount * 7;
  else if (u === 'MONTHS' || u === 'YEARS' || u === 'DECADES' || u === 'CENTURIES') {
    const months =
      amount * ({ MONTHS: 1, YEARS: 12, DECADES: 120, CENTURIES: 1200 } as Record<string, number>)[u]!;
    const total = year * 12 + (month - 1) + months;
    year = Math.floor(total / 12);
    month = (total % 12) + 1;
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    day = Math.min(day, lastDay);
  } else {
    throw new FilterFailure(
      `Unknown unit '${unit}': use NANOS, MICROS, MILLIS, SECONDS, MINUTES, HOURS, HALF_DAYS, DAYS, WEEKS, MONTHS or YEARS`,
    );
  }
  const local = new Date(Date.UTC(year, month - 1, day));
  const ms = localToUtc(
    [
      local.getUTCFullYear(),
      local.getUTCMonth() + 1,
      local.getUTCDate(),
      t.hour,
      t.minute,
      t.second,
      t.millisecond,
    ],
    zone,
  );
  return { date: new Date(ms), nanoOfMilli: instant.nanoOfMilli };
}

export const DATE_FILTERS: Array<[string, FilterFn]> = [
  [
    'date',
    (value, args) => {
      if (value === null) return null;
      return formatInstant(input(value, args, 1), args, 0);
    },
  ],
  [
    'dateAdd',
    (value, args) => {
      if (value === null) return null;
      const amount = asInt(args.get(0, 'amount'), 'dateAdd');
      const unit = asString(args.get(1, 'unit'));
      const zone = zoneArg(args.get(3, 'timeZone'));
      const added = addToInstant(input(value, args, 3), amount, unit, zone);
      return formatInstant(added, args, 2);
    },
  ],
  ['timestamp', (value, args) => Math.floor(input(value, args, 0).date.getTime() / 1000)],
  ['timestampMillis', (value, args) => input(value, args, 0).date.getTime()],
  [
    'timestampMicro',
    (value, args) => {
      const i = input(value, args, 0);
      return i.date.getTime() * 1000 + Math.floor(i.nanoOfMilli / 1000);
    },
  ],
  [
    'timestampNano',
    (value, args) => {
      const i = input(value, args, 0);
      return i.date.getTime() * 1_000_000 + i.nanoOfMilli;
    },
  ],
];
