import { FilterFailure } from './call-args.js';
import { isPlainObject } from './safe-access.js';
import { toOutputString } from './to-output-string.js';

/** The value as a string, the way it would print (`null` → `''`). */
export function asString(value: unknown): string {
  return toOutputString(value);
}

/** A number from a number or a numeric string; fails otherwise. */
export function asNumber(value: unknown, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new FilterFailure(`${what} expects a number, got ${typeName(value)}`, 'TYPE');
}

/** An integer argument, or `fallback` when absent. */
export function asInt(value: unknown, what: string, fallback?: number): number {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  const n = asNumber(value, what);
  return Math.trunc(n);
}

/** Java-ish name of a value's type, for messages. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  if (isPlainObject(value)) return 'map';
  if (value instanceof Date) return 'date';
  return typeof value;
}
