import type { FilterFn } from '../builtin-types.js';
import { FilterFailure } from '../call-args.js';
import { asInt, asNumber, asString } from '../coerce.js';

function parseNumber(input: unknown, type: string | undefined): number {
  if (typeof input === 'number') return input;
  const s = asString(input).trim();
  const n = /^0x[0-9a-f]+$/i.test(s) ? Number.parseInt(s, 16) : s === '' ? Number.NaN : Number(s);
  if (Number.isNaN(n)) throw new FilterFailure(`Unable to parse number '${s}'`);
  if (type === undefined) return n;
  switch (type.toUpperCase()) {
    case 'FLOAT':
    case 'DOUBLE':
    case 'BIGDECIMAL':
      return n;
    case 'INT':
    case 'INTEGER':
    case 'LONG':
    case 'BIGINTEGER':
      if (!Number.isInteger(n)) throw new FilterFailure(`Unable to parse '${s}' as ${type}`);
      return n;
    default:
      throw new FilterFailure(`Unknown number type '${type}'`);
  }
}

export const NUMBER_FILTERS: Array<[string, FilterFn]> = [
  ['abs', (input) => Math.abs(asNumber(input, 'abs'))],
  [
    'number',
    (input, args) => {
      const type = args.get(0, 'type');
      return parseNumber(input, type === undefined || type === null ? undefined : asString(type));
    },
  ],
  [
    'round',
    (input, args) => {
      const n = asNumber(input, 'round');
      const precision = asInt(args.get(0, 'precision'), 'round', 0);
      const method = asString(args.get(1, 'method') ?? 'common');
      const factor = 10 ** precision;
      const op = method === 'ceil' ? Math.ceil : method === 'floor' ? Math.floor : Math.round;
      return op(n * factor) / factor;
    },
  ],
];
