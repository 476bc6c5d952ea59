import { isPlainObject } from './safe-access.js';

/**
 * How a printed value looks, as Kestra's `JsonWriter` writes it: strings as
 * they are, `null` as nothing, numbers and booleans as Java prints them,
 * maps and lists as compact JSON (`{"a":1}`, `[1,2]`), dates as ISO-8601.
 *
 * @example
 * ```ts
 * toOutputString({ a: 1 }); // '{"a":1}'
 * toOutputString(42.42);    // '42.42'
 * toOutputString(null);     // ''
 * ```
 */
export function toOutputString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return toJson(value);
}

/** Java-like number text: integers without a fraction, `NaN`/`Infinity` as Java names them. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return 'Infinity';
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Object.is(n, -0)) return '0';
  return String(n);
}

/**
 * Compact JSON of template data. Only plain objects, arrays and primitives
 * are walked; anything else (class instances, functions) is written as `null`
 * so that nothing but data leaves the template.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(toJsonData(value)) ?? 'null';
}

/** Template data converted to what `JSON.stringify` writes without surprises. */
export function toJsonData(value: unknown, depth = 0): unknown {
  if (depth > 200) return null;
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => toJsonData(v, depth + 1));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'function') continue;
      out[k] = toJsonData(v, depth + 1);
    }
    return out;
  }
  return null;
}
