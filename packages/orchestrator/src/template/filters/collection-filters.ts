import type { FilterFn } from '../builtin-types.js';
import { FilterFailure } from '../call-args.js';
import { asInt, asString, typeName } from '../coerce.js';
import { LIMITS } from '../limits.js';
import { compare, templateEquals } from '../operators.js';
import { isPlainObject } from '../safe-access.js';

function list(input: unknown, filter: string): unknown[] {
  if (input === null || input === undefined) return [];
  if (Array.isArray(input)) return input;
  throw new FilterFailure(`${filter} expects a list, got ${typeName(input)}`, 'TYPE');
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim().length === 0;
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainObject(value)) return Object.keys(value).length === 0;
  return false;
}

function sortValues(values: unknown[]): unknown[] {
  return [...values].sort((a, b) => compare(a, b, 'sort'));
}

function distinct(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) if (!out.some((o) => templateEquals(o, v))) out.push(v);
  return out;
}

/** Pebble's emptiness, shared by the `default` filter and the `empty` test. */
export { isEmpty };

export const COLLECTION_FILTERS: Array<[string, FilterFn]> = [
  ['default', (input, args) => (isEmpty(input) ? (args.get(0, 'default') ?? null) : input)],
  [
    'length',
    (input) => {
      if (input === null || input === undefined) return 0;
      if (typeof input === 'string' || Array.isArray(input)) return input.length;
      if (isPlainObject(input)) return Object.keys(input).length;
      return asString(input).length;
    },
  ],
  [
    'first',
    (input) => {
      if (typeof input === 'string') return input.length > 0 ? input.charAt(0) : null;
      if (isPlainObject(input)) return Object.values(input)[0] ?? null;
      return list(input, 'first')[0] ?? null;
    },
  ],
  [
    'last',
    (input) => {
      if (typeof input === 'string') return input.length > 0 ? input.charAt(input.length - 1) : null;
      const l = isPlainObject(input) ? Object.values(input) : list(input, 'last');
      return l[l.length - 1] ?? null;
    },
  ],
  [
    'join',
    (input, args) => {
      const separator = asString(args.get(0, 'separator') ?? '');
      return list(input, 'join').map(asString).join(separator);
    },
  ],
  [
    'keys',
    (input) => {
      if (isPlainObject(input)) return Object.keys(input);
      if (Array.isArray(input)) return input.map((_, i) => i);
      throw new FilterFailure(`keys expects a map, got ${typeName(input)}`, 'TYPE');
    },
  ],
  [
    'values',
    (input) => {
      if (isPlainObject(input)) return Object.values(input);
      return list(input, 'values');
    },
  ],
  ['sort', (input) => sortValues(list(input, 'sort'))],
  ['rsort', (input) => sortValues(list(input, 'rsort')).reverse()],
  [
    'reverse',
    (input) => {
      if (typeof input === 'string') return [...input].reverse().join('');
      return [...list(input, 'reverse')].reverse();
    },
  ],
  [
    'slice',
    (input, args) => {
      const source: string | unknown[] = typeof input === 'string' ? input : list(input, 'slice');
      const from = asInt(args.get(0, 'fromIndex'), 'slice', 0);
      const to = asInt(args.get(1, 'toIndex'), 'slice', source.length);
      if (from < 0 || to > source.length || from > to) {
        throw new FilterFailure(`slice indexes ${from}..${to} out of bounds for length ${source.length}`);
      }
      return source.slice(from, to);
    },
  ],
  [
    'merge',
    (input, args) => {
      const other = args.get(0, 'items');
      if (isPlainObject(input) && isPlainObject(other)) return { ...input, ...other };
      return [...list(input, 'merge'), ...(Array.isArray(other) ? other : [other])];
    },
  ],
  ['distinct', (input) => distinct(list(input, 'distinct'))],
  ['uniq', (input) => distinct(list(input, 'uniq'))],
  [
    'chunk',
    (input, args) => {
      const size = asInt(args.get(0, 'size'), 'chunk');
      if (size < 1) throw new FilterFailure('chunk size must be at least 1');
      const l = list(input, 'chunk');
      const out: unknown[][] = [];
      for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
      return out;
    },
  ],
  [
    'flatten',
    (input) => {
      const out: unknown[] = [];
      for (const v of list(input, 'flatten')) {
        if (Array.isArray(v)) out.push(...v);
        else out.push(v);
        if (out.length > LIMITS.maxRangeSize * 10)
          throw new FilterFailure('flatten result too large', 'LIMIT');
      }
      return out;
    },
  ],
];
