import { parseShortDuration } from '@silo/contracts';
import { z } from 'zod';

/** The text of a setting parsed by `parse`; its error message becomes the zod issue. */
const parsedText = <T>(parse: (text: string) => T) =>
  z.string().transform((text, ctx) => {
    try {
      return parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

/**
 * A duration such as `250ms`, `30s`, `5m`, `1h`, in milliseconds (> 0).
 *
 * @example
 * duration().parse('5m'); // 300000
 */
export const duration = () =>
  parsedText((text) => {
    const ms = parseShortDuration(text);
    if (ms <= 0) throw new Error('must be greater than 0');
    return ms;
  });

/**
 * A duration, or `off` (also `0`) for 0: a feature the operator turns off.
 *
 * @example
 * durationOrOff().parse('30s'); // 30000
 * durationOrOff().parse('off'); // 0
 */
export const durationOrOff = () =>
  parsedText((text) => {
    if (/^\s*(off|0)\s*$/i.test(text)) return 0;
    const ms = parseShortDuration(text);
    if (ms <= 0) throw new Error('must be greater than 0, or off');
    return ms;
  });

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * Parses `512kb`, `100mb`, `1gb` or a bare number of bytes.
 *
 * @example
 * parseSize('100mb'); // 104857600
 */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!match) throw new Error(`invalid size "${text}": use bytes or a unit, e.g. 512kb, 100mb, 1gb`);
  return Math.round(Number(match[1]) * (SIZE_UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1));
}

/** A size in bytes (`parseSize`). */
export const size = () => parsedText(parseSize);

/** An integer in [min, max], written as decimal text. */
export const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const SWITCH_VALUES: Record<string, boolean> = {
  1: true,
  true: true,
  yes: true,
  0: false,
  false: false,
  no: false,
};

/**
 * An on/off setting: `1`/`true`/`yes` or `0`/`false`/`no` (any case).
 *
 * @example
 * onOff().parse('0'); // false
 */
export const onOff = () =>
  parsedText((text) => {
    const value = SWITCH_VALUES[text.trim().toLowerCase()];
    if (value === undefined) throw new Error(`must be 1 or 0 (or true/false, yes/no), not "${text}"`);
    return value;
  });

/** A bearer token: at least 16 characters, absent when not set. */
export const token = () => z.string().min(16, 'must be at least 16 characters').optional();
