import type { TestFn } from './builtin-types.js';
import { FilterFailure } from './call-args.js';
import { isEmpty } from './filters/collection-filters.js';
import { isPlainObject } from './safe-access.js';

function integer(input: unknown, test: string): number {
  if (typeof input !== 'number' || !Number.isInteger(input)) {
    throw new FilterFailure(`Test "${test}" expects an integer`, 'TYPE');
  }
  return input;
}

/** Kestra's `json` test: a map or list, or a string holding a JSON object or array. */
function isJson(input: unknown): boolean {
  if (Array.isArray(input) || isPlainObject(input)) return true;
  if (typeof input !== 'string') return false;
  const s = input.trim();
  if (!((s.startsWith('{') && s.endsWith('}')) || (s.startsWith('[') && s.endsWith(']')))) return false;
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** `x is <name>` tests. `defined` is handled by the runtime (it must see undefined variables). */
export const TESTS: ReadonlyMap<string, TestFn> = new Map<string, TestFn>([
  ['defined', (input) => input !== null && input !== undefined],
  ['null', (input) => input === null || input === undefined],
  ['empty', (input) => isEmpty(input)],
  ['even', (input) => integer(input, 'even') % 2 === 0],
  ['odd', (input) => Math.abs(integer(input, 'odd') % 2) === 1],
  ['iterable', (input) => Array.isArray(input)],
  ['map', (input) => isPlainObject(input)],
  ['json', isJson],
  ['string', (input) => typeof input === 'string'],
  ['number', (input) => typeof input === 'number'],
  ['boolean', (input) => typeof input === 'boolean'],
]);
