import { FilterFailure } from './call-args.js';
import type { ZonedTime } from './zoned-time.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The named formats of Kestra's date filters (`AbstractDate.FORMATTERS`), as Java patterns. */
export const NAMED_FORMATS: Record<string, string> = {
  iso: "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
  iso_sec: "yyyy-MM-dd'T'HH:mm:ssXXX",
  sql: 'yyyy-MM-dd HH:mm:ss.SSSSSS',
  sql_seq: 'yyyy-MM-dd HH:mm:ss',
  iso_date_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  iso_date: 'yyyy-MM-ddXXX',
  iso_time: 'HH:mm:ss.SSSXXX',
  iso_local_date: 'yyyy-MM-dd',
  iso_instant: "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
  iso_local_date_time: "yyyy-MM-dd'T'HH:mm:ss.SSS",
  iso_local_time: 'HH:mm:ss.SSS',
  iso_offset_time: 'HH:mm:ss.SSSXXX',
  iso_zoned_date_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX'['VV']'",
  rfc_1123_date_time: 'EEE, d MMM yyyy HH:mm:ss xx',
  iso8601: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
};

const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, '0');

function offset(minutes: number, colon: boolean, zForZero: boolean, withMinutes = true): string {
  if (minutes === 0 && zForZero) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const h = pad(Math.trunc(Math.abs(minutes) / 60), 2);
  const m = pad(Math.abs(minutes) % 60, 2);
  if (!withMinutes && m === '00') return sign + h;
  return colon ? `${sign}${h}:${m}` : `${sign}${h}${m}`;
}

function field(letter: string, count: number, t: ZonedTime): string {
  switch (letter) {
    case 'y':
    case 'u':
      return count === 2 ? pad(t.year % 100, 2) : pad(t.year, count);
    case 'M':
    case 'L':
      if (count >= 4) return MONTHS[t.month - 1] as string;
      if (count === 3) return (MONTHS[t.month - 1] as string).slice(0, 3);
      return pad(t.month, count);
    case 'd':
      return pad(t.day, count);
    case 'D': {
      const dayOfYear =
        Math.round((Date.UTC(t.year, t.month - 1, t.day) - Date.UTC(t.year, 0, 1)) / 86_400_000) + 1;
      return pad(dayOfYear, count);
    }
    case 'E':
      return count >= 4 ? (DAYS[t.weekday] as string) : (DAYS[t.weekday] as string).slice(0, 3);
    case 'e':
      return pad(t.weekday === 0 ? 7 : t.weekday, count);
    case 'a':
      return t.hour < 12 ? 'AM' : 'PM';
    case 'H':
      return pad(t.hour, count);
    case 'k':
      return pad(t.hour === 0 ? 24 : t.hour, count);
    case 'h':
      return pad(t.hour % 12 === 0 ? 12 : t.hour % 12, count);
    case 'K':
      return pad(t.hour % 12, count);
    case 'm':
      return pad(t.minute, count);
    case 's':
      return pad(t.second, count);
    case 'S':
      return (pad(t.millisecond, 3) + pad(t.nanoOfMilli, 6)).slice(0, count).padEnd(count, '0');
    case 'n':
      return String(t.millisecond * 1_000_000 + t.nanoOfMilli);
    case 'A':
      return String(((t.hour * 60 + t.minute) * 60 + t.second) * 1000 + t.millisecond);
    case 'X':
      return offset(t.offsetMinutes, count >= 3 && count % 2 === 1, true, count !== 1);
    case 'x':
      return offset(t.offsetMinutes, count >= 3 && count % 2 === 1, false, count !== 1);
    case 'Z':
      return count === 5
        ? t.offsetMinutes === 0
          ? 'Z'
          : offset(t.offsetMinutes, true, false)
        : offset(t.offsetMinutes, false, false);
    case 'V':
      return t.zone;
    case 'z':
      return t.zone === 'UTC' || t.zone === 'Z' ? 'UTC' : t.zone;
    case 'O':
      return t.offsetMinutes === 0 ? 'GMT' : `GMT${offset(t.offsetMinutes, true, false)}`;
    case 'G':
      return t.year > 0 ? 'AD' : 'BC';
    case 'Q':
    case 'q':
      return String(Math.floor((t.month - 1) / 3) + 1);
    default:
      throw new FilterFailure(`Unsupported date pattern letter '${letter}'`);
  }
}

/**
 * Formats zoned fields with a `java.time.format.DateTimeFormatter` pattern
 * (`yyyy-MM-dd'T'HH:mm:ss.SSSXXX`), or one of Kestra's named formats
 * (`iso`, `iso_sec`, `sql`, `iso_local_date`, ...). English names only.
 *
 * @example
 * ```ts
 * formatJavaDate(zonedTime(new Date(0), 'UTC'), 'yyyy-MM-dd'); // '1970-01-01'
 * ```
 */
export function formatJavaDate(t: ZonedTime, pattern: string): string {
  const p = NAMED_FORMATS[pattern] ?? pattern;
  let out = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i] as string;
    if (c === "'") {
      const end = p.indexOf("'", i + 1);
      if (end === i + 1) {
        out += "'";
        i += 2;
        continue;
      }
      if (end === -1) throw new FilterFailure(`Unclosed quote in date pattern '${pattern}'`);
      out += p.slice(i + 1, end);
      i = end + 1;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      let count = 1;
      while (p[i + count] === c) count++;
      out += field(c, count, t);
      i += count;
    } else if (c === '[' || c === ']') {
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
