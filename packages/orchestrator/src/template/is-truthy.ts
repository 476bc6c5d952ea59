import { isPlainObject } from './safe-access.js';

/**
 * Strings that Kestra treats as false (`TruthUtils`): an `If` condition or a
 * `runIf` that renders to one of these is false; every other string is true.
 */
const FALSE_STRINGS = new Set(['false', '0', '-0', '']);

/**
 * Kestra's truthiness, for `{% if %}`, `and`/`or`/`not`, `If.condition` and
 * `runIf`: booleans as they are; `null` false; numbers false when zero;
 * strings false when `"false"`, `"0"`, `"-0"` or empty (trimmed, any case);
 * lists and maps false when empty.
 *
 * @example
 * ```ts
 * isTruthy('true'); // true
 * isTruthy('-0');   // false
 * isTruthy(1);      // true
 * ```
 */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') return !FALSE_STRINGS.has(value.trim().toLowerCase());
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}
