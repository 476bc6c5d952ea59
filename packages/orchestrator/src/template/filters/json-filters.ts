import { stringify as toYaml } from 'yaml';
import type { FilterFn } from '../builtin-types.js';
import { FilterFailure } from '../call-args.js';
import { asString } from '../coerce.js';
import { jq } from '../jq.js';
import { toJson, toJsonData } from '../to-output-string.js';

/** Parses JSON text, failing with a template error rather than a SyntaxError. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new FilterFailure(
      `Unable to parse JSON '${text.length > 100 ? `${text.slice(0, 100)}...` : text}': ${(e as Error).message}`,
    );
  }
}

export const JSON_FILTERS: Array<[string, FilterFn]> = [
  ['toJson', (input) => toJson(input)],
  /** Deprecated Kestra alias of `toJson`. */
  ['json', (input) => toJson(input)],
  ['yaml', (input) => toYaml(toJsonData(input))],
  ['toYaml', (input) => toYaml(toJsonData(input))],
  [
    'jq',
    (input, args) => {
      if (input === null || input === undefined) return null;
      if (!args.has(0, 'expression'))
        throw new FilterFailure("The 'jq' filter expects an argument 'expression'.");
      const expression = asString(args.get(0, 'expression'));
      const data = typeof input === 'string' ? parseJson(input) : toJsonData(input);
      return jq(data, expression);
    },
  ],
];
