import { FilterFailure } from './call-args.js';
import { typeName } from './coerce.js';
import { LIMITS } from './limits.js';
import { isPlainObject } from './safe-access.js';
import { toOutputString } from './to-output-string.js';

/**
 * Deep equality as Java's `equals` on Pebble values: numbers by value
 * (`1 == 1.0`), strings, booleans, lists element-wise, maps key-wise.
 * `'1' == 1` is false, as in Pebble.
 */
export function templateEquals(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => templateEquals(v, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && templateEquals(a[k], b[k]));
  }
  return false;
}

/** `<`, `>`, ...: numbers by value, strings lexicographically, dates by time. */
export function compare(a: unknown, b: unknown, op: string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  throw new FilterFailure(`Cannot compare ${typeName(a)} and ${typeName(b)} with "${op}"`, 'TYPE');
}

/**
 * `+ - * / %` over numbers. Both operands integral makes `/` an integer
 * division, as Pebble does on Java longs (`5 / 2` is 2). `+` also appends
 * lists.
 */
export function arithmetic(op: '+' | '-' | '*' | '/' | '%', a: unknown, b: unknown): unknown {
  if (op === '+' && Array.isArray(a)) return Array.isArray(b) ? [...a, ...b] : [...a, b];
  if (typeof a !== 'number' || typeof b !== 'number') {
    throw new FilterFailure(`Cannot apply "${op}" to ${typeName(a)} and ${typeName(b)}`, 'TYPE');
  }
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (Number.isInteger(a) && Number.isInteger(b)) {
        if (b === 0) throw new FilterFailure('Division by zero', 'TYPE');
        return Math.trunc(a / b);
      }
      return a / b;
    case '%':
      if (b === 0 && Number.isInteger(a)) throw new FilterFailure('Division by zero', 'TYPE');
      return a % b;
  }
}

/** `haystack contains needle`: substring, list element (or all elements of a list), map key. */
export function contains(haystack: unknown, needle: unknown): boolean {
  if (haystack === null || haystack === undefined) return false;
  if (typeof haystack === 'string') return haystack.includes(toOutputString(needle));
  if (Array.isArray(haystack)) {
    if (Array.isArray(needle)) return needle.every((n) => haystack.some((h) => templateEquals(h, n)));
    return haystack.some((h) => templateEquals(h, needle));
  }
  if (isPlainObject(haystack)) {
    if (Array.isArray(needle)) return needle.every((n) => Object.hasOwn(haystack, toOutputString(n)));
    return Object.hasOwn(haystack, toOutputString(needle));
  }
  throw new FilterFailure(`"contains" does not apply to ${typeName(haystack)}`, 'TYPE');
}

/** Inclusive integer range, as Pebble's `range(a, b, step)` and `a..b`; bounded by `LIMITS.maxRangeSize`. */
export function range(startValue: unknown, endValue: unknown, stepValue: unknown = 1): number[] {
  if (typeof startValue !== 'number' || typeof endValue !== 'number' || typeof stepValue !== 'number') {
    throw new FilterFailure('range expects numbers', 'TYPE');
  }
  const step = stepValue;
  if (step === 0 || !Number.isFinite(step))
    throw new FilterFailure('range step must not be zero', 'FUNCTION');
  const count = Math.floor((endValue - startValue) / step) + 1;
  if (!Number.isFinite(count) || count > LIMITS.maxRangeSize) {
    throw new FilterFailure(`range would produce more than ${LIMITS.maxRangeSize} items`, 'LIMIT');
  }
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(startValue + i * step);
  return out;
}
