import { Cron } from 'croner';
import { z } from 'zod';
import { parseIsoDuration } from './iso-duration.js';

/**
 * Small zod building blocks for the flow schemas, each carrying the message a
 * person sees (`expected an integer ≥ 1`), so every task type words its
 * errors the same way.
 */

/** The error of a type check: `is required` when the value is missing, else `text`. */
export const typeError = (text: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? 'is required' : text;

/** A Pebble template: Kestra renders it at run time, so its type is checked then. */
export const isTemplate = (v: unknown): v is string => typeof v === 'string' && v.includes('{{');

export const str = () => z.string({ error: typeError('expected a string') });
export const nonEmptyStr = () =>
  z
    .string({ error: typeError('expected a non-empty string') })
    .min(1, { error: 'expected a non-empty string' });
export const bool = () => z.boolean({ error: typeError('expected true or false') });

/** An integer with an optional lower bound: message `expected an integer ≥ 1`. */
export const int = (min?: number) => {
  const message = min === undefined ? 'expected an integer' : `expected an integer ≥ ${min}`;
  const base = z.number({ error: typeError(message) }).int({ error: message });
  return min === undefined ? base : base.min(min, { error: message });
};
export const num = () => z.number({ error: typeError('expected a number') });

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: typeError(`expected one of ${values.join(', ')}`) });

/** A map of string keys to anything. */
export const record = () => z.record(z.string(), z.unknown(), { error: typeError('expected a map') });

/** An ISO-8601 duration (`PT1S`, `P1DT2H`). */
export const duration = () =>
  z
    .string({ error: typeError('expected an ISO-8601 duration such as PT30S') })
    .refine((s) => parseIsoDuration(s) !== undefined, {
      error: (iss) => `invalid duration "${String(iss.input)}": expected an ISO-8601 duration such as PT30S`,
    });

/** A cron expression (5 fields, 6 with seconds, or a nickname such as `@daily`), checked with croner. */
export const cron = () =>
  z.string({ error: typeError('expected a cron expression') }).superRefine((s, ctx) => {
    if (isTemplate(s)) return;
    try {
      new Cron(s, { paused: true });
    } catch (err) {
      const why = err instanceof Error ? err.message.replace(/^CronPattern: /, '') : String(err);
      ctx.addIssue({ code: 'custom', message: `invalid cron expression "${s}": ${why}` });
    }
  });

/**
 * Kestra's `Property<T>`: the value itself, or a template rendered at run time.
 * Issues of the inner schema are reported as they are.
 */
export const prop = <T extends z.ZodType>(inner: T) =>
  z.unknown().superRefine((v, ctx) => {
    if (isTemplate(v)) return;
    const r = inner.safeParse(v, { error: zodMessage });
    if (r.success) return;
    for (const iss of r.error.issues) {
      ctx.addIssue({ code: 'custom', message: iss.message, path: iss.path });
    }
  });

/** A string or a list of strings (Log `message`, shell `commands`). */
export const strOrList = () =>
  z.union([z.string(), z.array(z.string())], { error: typeError('expected a string or a list of strings') });

/** A list of child tasks; each child is parsed by the flow parser itself. */
export const taskList = () => z.array(z.unknown(), { error: typeError('expected a list of tasks') });

/**
 * The wording of zod's own issues, for the schemas that do not set one:
 * `expected a string`, `unknown property "foo"`, `expected one of A, B`.
 */
export function zodMessage(iss: {
  code?: string;
  input?: unknown;
  [k: string]: unknown;
}): string | undefined {
  switch (iss.code) {
    case 'invalid_type': {
      if (iss.input === undefined) return 'is required';
      const expected = String(iss.expected);
      const article = /^[aeiou]/.test(expected) ? 'an' : 'a';
      return `expected ${article} ${expected === 'record' ? 'map' : expected === 'array' ? 'list' : expected}`;
    }
    case 'invalid_value':
      return `expected one of ${(iss.values as unknown[]).map(String).join(', ')}`;
    case 'unrecognized_keys':
      return 'unknown property';
    default:
      return undefined;
  }
}
