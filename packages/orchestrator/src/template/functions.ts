import { randomInt, randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { BuiltinFunction } from './builtin-types.js';
import { FilterFailure } from './call-args.js';
import { asInt, asString } from './coerce.js';
import { formatInstant } from './filters/date-filters.js';
import { parseJson } from './filters/json-filters.js';
import { LIMITS } from './limits.js';
import { compare, range } from './operators.js';
import { WHEN_FUNCTIONS } from './when-functions.js';

function extreme(sign: 1 | -1): BuiltinFunction {
  return (args) => {
    const values =
      args.positional.length === 1 && Array.isArray(args.positional[0])
        ? args.positional[0]
        : args.positional;
    if (values.length === 0) return null;
    return values.reduce((best, v) => (compare(v, best, sign > 0 ? 'max' : 'min') * sign > 0 ? v : best));
  };
}

function fromJson(args: Parameters<BuiltinFunction>[0]): unknown {
  const text = args.get(0, 'json');
  if (text === null || text === undefined) return null;
  return parseJson(asString(text));
}

/**
 * `render(template, recursive = true)`: renders a string that is itself a
 * template, again and again while it changes (Kestra's `RenderFunction`),
 * at most `LIMITS.maxRenderPasses` times.
 */
const renderFunction: BuiltinFunction = (args, context) => {
  const input = args.get(0, 'toRender');
  if (input === null || input === undefined) return null;
  if (typeof input !== 'string') return input;
  const recursive = args.get(1, 'recursive') !== false;
  let current = input;
  for (let pass = 0; pass < LIMITS.maxRenderPasses; pass++) {
    const next = context.render(current);
    if (!recursive || next === current) return next;
    current = next;
  }
  throw new FilterFailure(`render() did not settle after ${LIMITS.maxRenderPasses} passes`, 'LIMIT');
};

/** The functions every template can call; the engine adds `kv`, `secret`, `currentEachOutput`, ... */
export const FUNCTIONS: ReadonlyMap<string, BuiltinFunction> = new Map<string, BuiltinFunction>([
  ['now', (args, context) => formatInstant({ date: context.now(), nanoOfMilli: 0 }, args, 0)],
  ['fromJson', fromJson],
  ['json', fromJson],
  [
    'yaml',
    (args) => {
      const text = args.get(0, 'yaml');
      if (text === null || text === undefined) return null;
      try {
        return parseYaml(asString(text), { maxAliasCount: 100 }) as unknown;
      } catch (e) {
        throw new FilterFailure(`Unable to parse YAML: ${(e as Error).message}`);
      }
    },
  ],
  ['range', (args) => range(args.get(0, 'start'), args.get(1, 'end'), args.get(2, 'increment') ?? 1)],
  ['min', extreme(-1)],
  ['max', extreme(1)],
  ['render', renderFunction],
  ['uuid', () => randomUUID()],
  [
    'randomInt',
    (args) => {
      const lower = asInt(args.get(0, 'lower'), 'randomInt');
      const upper = asInt(args.get(1, 'upper'), 'randomInt');
      if (upper <= lower) throw new FilterFailure('randomInt: upper must be greater than lower');
      return randomInt(lower, upper);
    },
  ],
  ...WHEN_FUNCTIONS,
]);
