/**
 * The only way template code reads data. A template sees plain JSON-like
 * data and nothing else: own, enumerable data properties of plain objects
 * (prototype `Object.prototype` or `null`) and the elements of arrays. It
 * never sees prototypes, getters, functions or the insides of class
 * instances, so no expression can climb from data to `Function` or `process`
 * (the classic `''.constructor.constructor('return process')()`).
 */

/** Names refused outright, whatever object they are asked of. */
const FORBIDDEN_KEYS = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__lookupGetter__',
]);

export type AccessResult =
  | { found: true; value: unknown }
  | { found: false; reason: 'missing' }
  | { found: false; reason: 'forbidden'; message: string };

/** True for `{}`-style objects (including `Object.create(null)`), false for arrays, class instances, Dates, Maps. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Reads `object[key]` if the template may see it. */
export function getAttribute(object: unknown, key: unknown): AccessResult {
  if (typeof key === 'string' && FORBIDDEN_KEYS.has(key)) {
    return { found: false, reason: 'forbidden', message: `Access to "${key}" is not allowed` };
  }
  if (Array.isArray(object)) {
    const index =
      typeof key === 'number' ? key : typeof key === 'string' && /^\d+$/.test(key) ? Number(key) : NaN;
    if (Number.isInteger(index) && index >= 0 && index < object.length) {
      return readOwn(object, String(index));
    }
    return { found: false, reason: 'missing' };
  }
  if (isPlainObject(object)) {
    if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') {
      return { found: false, reason: 'missing' };
    }
    return readOwn(object, String(key));
  }
  return { found: false, reason: 'missing' };
}

function readOwn(object: object, key: string): AccessResult {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  if (descriptor === undefined || !descriptor.enumerable) return { found: false, reason: 'missing' };
  if (!('value' in descriptor)) {
    return {
      found: false,
      reason: 'forbidden',
      message: `Access to accessor property "${key}" is not allowed`,
    };
  }
  if (typeof descriptor.value === 'function' || typeof descriptor.value === 'symbol') {
    return { found: false, reason: 'forbidden', message: `"${key}" is not data` };
  }
  return { found: true, value: descriptor.value === undefined ? null : descriptor.value };
}

/** Own enumerable keys of a plain object, in insertion order. */
export function ownKeys(object: Record<string, unknown>): string[] {
  return Object.keys(object);
}
