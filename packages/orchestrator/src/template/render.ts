import type { Expr, Node } from './ast.js';
import { FILTERS } from './filters/filters.js';
import { FUNCTIONS } from './functions.js';
import { parseExpression, parseTemplate } from './parser.js';
import { type Builtins, Runtime, type RuntimeSettings } from './runtime.js';
import { isPlainObject } from './safe-access.js';
import type { TemplateFunction } from './template-function.js';
import { TESTS } from './tests.js';

/** Options of `render`, `renderValue`, `renderTyped` and `evaluate`. */
export type RenderOptions = {
  /**
   * Throw `TemplateError` (code `UNDEFINED_VARIABLE`) on an undefined
   * variable or attribute, as Kestra does; when false they render as empty.
   * @default true
   */
  strict?: boolean;
  /** Extra functions, by name (the engine supplies `kv`, `secret`, `currentEachOutput`, `errorLogs`, `read`, ...). They take precedence over built-ins of the same name. */
  functions?: Record<string, TemplateFunction>;
  /** The clock of `now()`. @default () => new Date() */
  now?: () => Date;
};

const BUILTINS: Builtins = { filters: FILTERS, tests: TESTS, functions: FUNCTIONS };

const CACHE_SIZE = 1000;
const templateCache = new Map<string, Node[]>();
const expressionCache = new Map<string, Expr>();

function cached<T>(cache: Map<string, T>, key: string, parse: (s: string) => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const value = parse(key);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

function settings(options: RenderOptions | undefined): RuntimeSettings {
  return {
    strict: options?.strict ?? true,
    functions: options?.functions ?? {},
    now: options?.now ?? (() => new Date()),
    builtins: BUILTINS,
  };
}

function runtime(
  source: string,
  context: Record<string, unknown>,
  options: RenderOptions | undefined,
): Runtime {
  return new Runtime(source, context, settings(options), { iterations: 0, depth: 0 });
}

/**
 * True when `s` contains Pebble syntax (`{{`, `{%` or `{#`): strings without
 * it render to themselves, so callers can skip them.
 *
 * @example
 * ```ts
 * isTemplate('hello {{ name }}'); // true
 * isTemplate('{"a": 1}');         // false
 * ```
 */
export function isTemplate(s: string): boolean {
  return /\{[{%#]/.test(s);
}

/**
 * Renders a Kestra (Pebble) template to a string: `{{ expr }}`, `{% if %}`,
 * `{% for %}`, `{% set %}`, `{# comments #}`, `{% raw %}`, whitespace control.
 * Maps and lists print as compact JSON, `null` as nothing.
 *
 * @throws TemplateError on a syntax error, an undefined variable (strict mode), a failing filter or function, or a limit.
 * @example
 * ```ts
 * render('{{ flow.namespace ~ "." ~ flow.id | upper }}', { flow: { namespace: 'io', id: 'x' } }); // 'io.X'
 * render('{{ inputs.missing }}', { inputs: {} }); // throws: Unable to find `missing` used in the expression ...
 * ```
 */
export function render(template: string, context: Record<string, unknown>, options?: RenderOptions): string {
  if (!isTemplate(template)) return template;
  return runtime(template, context, options).renderNodes(cached(templateCache, template, parseTemplate));
}

/**
 * Like `render`, but a template that is exactly one `{{ expr }}` returns the
 * expression's typed value (a list stays a list, a number a number), as
 * Kestra's `renderTyped`. Anything else renders to a string.
 *
 * @example
 * ```ts
 * renderTyped('{{ inputs.array }}', { inputs: { array: [1, 2] } }); // [1, 2]
 * renderTyped('n={{ 1 }}', {});                                     // 'n=1'
 * ```
 */
export function renderTyped(
  template: string,
  context: Record<string, unknown>,
  options?: RenderOptions,
): unknown {
  if (!isTemplate(template)) return template;
  const nodes = cached(templateCache, template, parseTemplate);
  const only = nodes.length === 1 ? nodes[0] : undefined;
  const rt = runtime(template, context, options);
  if (only?.kind === 'print') return rt.evaluate(only.expr);
  return rt.renderNodes(nodes);
}

/**
 * Renders every string found in `value`, walking plain objects and arrays
 * (keys are left as they are). Other values are returned unchanged.
 *
 * @example
 * ```ts
 * renderValue({ msg: 'hi {{ name }}', n: [1, '{{ 2 + 3 }}'] }, { name: 'Ada' });
 * // { msg: 'hi Ada', n: [1, '5'] }
 * ```
 */
export function renderValue(
  value: unknown,
  context: Record<string, unknown>,
  options?: RenderOptions,
): unknown {
  if (typeof value === 'string') return render(value, context, options);
  if (Array.isArray(value)) return value.map((v) => renderValue(v, context, options));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, context, options);
    return out;
  }
  return value;
}

/**
 * Evaluates a bare expression (no braces) to its typed value, e.g. for
 * conditions. Pass the result to `isTruthy` for Kestra's truthiness.
 *
 * @example
 * ```ts
 * evaluate("outputs.task.value == 'ok'", { outputs: { task: { value: 'ok' } } }); // true
 * ```
 */
export function evaluate(
  expression: string,
  context: Record<string, unknown>,
  options?: RenderOptions,
): unknown {
  return runtime(expression, context, options).evaluate(cached(expressionCache, expression, parseExpression));
}
