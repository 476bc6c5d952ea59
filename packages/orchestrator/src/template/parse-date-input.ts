import { FilterFailure } from './call-args.js';
import { asString, typeName } from './coerce.js';
import { NAMED_FORMATS } from './format-java-date.js';
import { offsetAt, parseFixedOffset } from './zoned-time.js';

/** An instant with the sub-millisecond digits JavaScript's Date cannot hold. */
export type Instant = { date: Date; nanoOfMilli: number };

const ISO =
  /^(\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?(?:\[([^\]]+)\])?$/;

/** UTC milliseconds of local fields interpreted in `zone`. */
export function localToUtc(fields: number[], zone: string): number {
  const [y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0, ms = 0] = fields;
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const fixed = parseFixedOffset(zone);
  if (fixed !== undefined) return asUtc - fixed * 60_000;
  let guess = asUtc - offsetAt(asUtc, zone) * 60_000;
  guess = asUtc - offsetAt(guess, zone) * 60_000;
  return guess;
}

function fraction(digits: string | undefined): { ms: number; nano: number } {
  const f = (digits ?? '').padEnd(9, '0');
  return { ms: Number(f.slice(0, 3)), nano: Number(f.slice(3, 9)) };
}

/**
 * What Kestra's date filters accept (`AbstractDate.convert`): a Date, a
 * number of epoch **seconds**, or an ISO-8601 string (with `Z`, an offset or
 * a `[zone]`; without one, the time is read in `zone`). With
 * `existingFormat`, the string is read with that Java pattern.
 */
export function parseDateInput(value: unknown, zone: string, existingFormat?: string): Instant {
  if (value instanceof Date) return { date: value, nanoOfMilli: 0 };
  if (typeof value === 'number') return { date: new Date(value * 1000), nanoOfMilli: 0 };
  if (typeof value !== 'string') throw new FilterFailure(`Unable to read a date from ${typeName(value)}`);
  if (existingFormat !== undefined)
    return parseWithPattern(value, NAMED_FORMATS[existingFormat] ?? existingFormat, zone);
  const m = ISO.exec(value.trim());
  if (!m) throw new FilterFailure(`Text '${value}' could not be parsed as a date`);
  const { ms, nano } = fraction(m[7]);
  const fields = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => Number(x ?? 0));
  const offset = m[8];
  const at =
    offset !== undefined
      ? localToUtc([...fields, ms], offset === 'Z' ? 'UTC' : offset)
      : localToUtc([...fields, ms], m[9] ?? zone);
  if (Number.isNaN(at)) throw new FilterFailure(`Text '${value}' could not be parsed as a date`);
  return { date: new Date(at), nanoOfMilli: nano };
}

const PATTERN_PARTS: Record<string, string> = {
  y: '(\\d{2,4})',
  u: '(\\d{2,4})',
  M: '(\\d{1,2})',
  d: '(\\d{1,2})',
  H: '(\\d{1,2})',
  h: '(\\d{1,2})',
  m: '(\\d{1,2})',
  s: '(\\d{1,2})',
  S: '(\\d{1,9})',
  a: '(AM|PM|am|pm)',
  X: '(Z|[+-]\\d{2}(?::?\\d{2})?)',
  x: '([+-]\\d{2}(?::?\\d{2})?)',
  Z: '(Z|[+-]\\d{2}:?\\d{2})',
};

function parseWithPattern(value: string, pattern: string, zone: string): Instant {
  let regex = '';
  const order: string[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === -1) throw new FilterFailure(`Unclosed quote in date pattern '${pattern}'`);
      regex += (end === i + 1 ? "'" : pattern.slice(i + 1, end)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let count = 1;
      while (pattern[i + count] === c) count++;
      const part = PATTERN_PARTS[c];
      if (part === undefined)
        throw new FilterFailure(`Unsupported date pattern letter '${c}' in existingFormat`);
      regex += count > 1 && 'yMdHhms'.includes(c) ? `(\\d{${count}})` : part;
      order.push(c);
      i += count;
    } else {
      regex += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  const m = new RegExp(`^${regex}$`).exec(value.trim());
  if (!m) throw new FilterFailure(`Text '${value}' could not be parsed with format '${pattern}'`);
  const f: Record<string, string> = {};
  order.forEach((letter, index) => {
    f[letter] = m[index + 1] as string;
  });
  let hour = Number(f.H ?? f.h ?? 0);
  if (f.a !== undefined && f.h !== undefined) hour = (hour % 12) + (f.a.toUpperCase() === 'PM' ? 12 : 0);
  const year = Number(f.y ?? f.u ?? 1970);
  const { ms, nano } = fraction(f.S);
  const offset = f.X ?? f.x ?? f.Z;
  const fields = [
    year < 100 ? 2000 + year : year,
    Number(f.M ?? 1),
    Number(f.d ?? 1),
    hour,
    Number(f.m ?? 0),
    Number(f.s ?? 0),
    ms,
  ];
  const at = localToUtc(fields, offset === undefined ? zone : offset === 'Z' ? 'UTC' : offset);
  return { date: new Date(at), nanoOfMilli: nano };
}

/** A zone argument, defaulting to UTC (Kestra uses the JVM's zone, UTC in its images). */
export function zoneArg(value: unknown): string {
  return value === undefined || value === null ? 'UTC' : asString(value);
}
