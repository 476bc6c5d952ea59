import { InputFailure } from './input-failure.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Fraction digits as Java prints them: none when zero, else in groups of 3 (`.5` → `.500`). */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = pad(nanos, 9);
  if (nanos % 1_000_000 === 0) return `.${digits.slice(0, 3)}`;
  if (nanos % 1000 === 0) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

function nanosOf(digits: string | undefined): number {
  return Number((digits ?? '').padEnd(9, '0').slice(0, 9));
}

/** A parsed `Instant`: epoch milliseconds plus the nanoseconds below the millisecond, and its Java text. */
export type ParsedInstant = { epochMs: number; nanos: number; text: string };

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)$/;

/**
 * `Instant.parse`: an ISO-8601 date-time with `Z` or an offset. The text is
 * `Instant.toString()` of it: UTC, seconds always, fraction only when set.
 */
export function parseInstant(s: string): ParsedInstant {
  const m = INSTANT.exec(s.trim());
  if (!m) throw new InputFailure(`Text '${s}' could not be parsed`);
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as number[];
  checkDate(y as number, mo as number, d as number, s);
  if ((h as number) > 23 || (mi as number) > 59 || (sec as number) > 59)
    throw new InputFailure(`Text '${s}' could not be parsed`);
  let epochMs = Date.UTC(y as number, (mo as number) - 1, d as number, h, mi, sec);
  const zone = m[8] as string;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [oh, om, os] = zone.slice(1).split(':').map(Number) as number[];
    epochMs -= sign * (((oh as number) * 60 + (om as number)) * 60 + (os ?? 0)) * 1000;
  }
  const nanos = nanosOf(m[7]);
  epochMs += Math.floor(nanos / 1_000_000);
  const iso = new Date(epochMs - (epochMs % 1000)).toISOString().slice(0, 19);
  return { epochMs, nanos: nanos % 1_000_000, text: `${iso}${fraction(nanos)}Z` };
}

function checkDate(y: number, mo: number, d: number, s: string): void {
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > days) throw new InputFailure(`Text '${s}' could not be parsed`);
}

/** `LocalDate.parse` (`yyyy-MM-dd`); returns the same text and a comparable day number. */
export function parseLocalDate(s: string): { day: number; text: string } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim());
  if (!m) throw new InputFailure(`Text '${s}' could not be parsed`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  checkDate(y, mo, d, s);
  return { day: Date.UTC(y, mo - 1, d) / 86_400_000, text: `${m[1]}-${m[2]}-${m[3]}` };
}

/** `LocalTime.parse` (`HH:mm[:ss[.SSS]]`); the text is `LocalTime.toString()` (`01:00` when seconds are zero). */
export function parseLocalTime(s: string): { nanoOfDay: number; text: string } {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(s.trim());
  if (!m) throw new InputFailure(`Text '${s}' could not be parsed`);
  const [h, mi, sec] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || mi > 59 || sec > 59) throw new InputFailure(`Text '${s}' could not be parsed`);
  const nanos = nanosOf(m[4]);
  const text =
    sec === 0 && nanos === 0 ? `${pad(h)}:${pad(mi)}` : `${pad(h)}:${pad(mi)}:${pad(sec)}${fraction(nanos)}`;
  return { nanoOfDay: ((h * 60 + mi) * 60 + sec) * 1e9 + nanos, text };
}

const DURATION =
  /^([+-])?P(?:([+-]?\d+)D)?(?:T(?:([+-]?\d+)H)?(?:([+-]?\d+)M)?(?:([+-]?\d+)(?:[.,](\d{1,9}))?S)?)?$/i;

/**
 * `Duration.parse` (`PT10S`, `P1DT2H`, `PT0.5S`); the text is
 * `Duration.toString()` (days become hours: `P1D` → `PT24H`).
 */
export function parseDuration(s: string): { seconds: number; text: string } {
  const m = DURATION.exec(s.trim());
  if (!m || (m[2] === undefined && m[3] === undefined && m[4] === undefined && m[5] === undefined)) {
    throw new InputFailure(`Text cannot be parsed to a Duration`);
  }
  const sign = m[1] === '-' ? -1 : 1;
  const fracSign = (m[5] ?? '').startsWith('-') ? -1 : 1;
  const seconds =
    sign *
    (Number(m[2] ?? 0) * 86_400 +
      Number(m[3] ?? 0) * 3600 +
      Number(m[4] ?? 0) * 60 +
      Number(m[5] ?? 0) +
      fracSign * (nanosOf(m[6]) / 1e9));
  return { seconds, text: formatDuration(seconds) };
}

/** `Duration.toString()` of a number of seconds. */
export function formatDuration(totalSeconds: number): string {
  if (totalSeconds === 0) return 'PT0S';
  const negative = totalSeconds < 0;
  const abs = Math.abs(totalSeconds);
  const hours = Math.floor(abs / 3600);
  const minutes = Math.floor((abs % 3600) / 60);
  const secs = abs - hours * 3600 - minutes * 60;
  const sign = negative ? '-' : '';
  let out = 'PT';
  if (hours) out += `${sign}${hours}H`;
  if (minutes) out += `${sign}${minutes}M`;
  if (secs) {
    const whole = Math.floor(secs + 1e-9);
    const nanos = Math.round((secs - whole) * 1e9);
    out += `${sign}${whole}${fraction(nanos).replace(/0+$/, '')}S`;
  }
  return out;
}
