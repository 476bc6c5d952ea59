import { NonRetryableTaskError, type RunContext } from '../../runnable-task.js';

/**
 * Reading a task's (unrendered) properties: render templates, then check the
 * type. A wrong type is a `NonRetryableTaskError` naming the property, since no
 * retry can fix it. Shared by the KV, shell and HTTP tasks.
 */

/** Renders a required string property. */
export function renderString(ctx: RunContext, props: Record<string, unknown>, name: string): string {
  const value = renderOptionalString(ctx, props, name);
  if (value === undefined || value === '') throw new NonRetryableTaskError(`Property '${name}' is required`);
  return value;
}

/** Renders an optional string property (numbers and booleans are accepted as their text). */
export function renderOptionalString(
  ctx: RunContext,
  props: Record<string, unknown>,
  name: string,
): string | undefined {
  const raw = props[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return ctx.render(raw);
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw new NonRetryableTaskError(`Property '${name}' must be a string, got ${describe(raw)}`);
}

/**
 * Renders a boolean property: a boolean, or a template rendering to
 * `true`/`false` (any case).
 *
 * @example
 * renderBoolean(ctx, { overwrite: '{{ inputs.force }}' }, 'overwrite', true);
 */
export function renderBoolean(
  ctx: RunContext,
  props: Record<string, unknown>,
  name: string,
  fallback: boolean,
): boolean {
  const raw = props[name];
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const text = ctx.render(raw).trim().toLowerCase();
    if (text === 'true') return true;
    if (text === 'false') return false;
    if (text === '') return fallback;
    throw new NonRetryableTaskError(`Property '${name}' must be true or false, got '${text}'`);
  }
  throw new NonRetryableTaskError(`Property '${name}' must be a boolean, got ${describe(raw)}`);
}

/**
 * Renders a duration property to milliseconds: a number (the parser already
 * turned durations into milliseconds) or an ISO-8601 duration (`PT30S`).
 */
export function renderDurationMs(
  ctx: RunContext,
  props: Record<string, unknown>,
  name: string,
): number | undefined {
  const raw = props[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return raw;
  if (typeof raw === 'string') {
    const text = ctx.render(raw).trim();
    const ms = parseIsoDurationMs(text);
    if (ms !== undefined) return ms;
    throw new NonRetryableTaskError(
      `Property '${name}' must be an ISO-8601 duration such as PT30S, got '${text}'`,
    );
  }
  throw new NonRetryableTaskError(`Property '${name}' must be a duration, got ${describe(raw)}`);
}

/** Renders a property that is a list of strings, or a single string (one item). */
export function renderStringList(
  ctx: RunContext,
  props: Record<string, unknown>,
  name: string,
): string[] | undefined {
  const raw = props[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return [ctx.render(raw)];
  if (Array.isArray(raw)) {
    return raw.map((item, i) => {
      if (typeof item === 'string') return ctx.render(item);
      if (typeof item === 'number' || typeof item === 'boolean') return String(item);
      throw new NonRetryableTaskError(`Property '${name}[${i}]' must be a string, got ${describe(item)}`);
    });
  }
  throw new NonRetryableTaskError(`Property '${name}' must be a list of strings, got ${describe(raw)}`);
}

/** Renders a map of strings (`env`, `headers`); non-string values are turned into text. */
export function renderStringMap(
  ctx: RunContext,
  props: Record<string, unknown>,
  name: string,
): Record<string, string> | undefined {
  const raw = props[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new NonRetryableTaskError(`Property '${name}' must be a map, got ${describe(raw)}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined || v === null) continue;
    out[ctx.render(k)] =
      typeof v === 'string'
        ? ctx.render(v)
        : typeof v === 'object'
          ? JSON.stringify(ctx.renderValue(v))
          : String(v);
  }
  return out;
}

/** ISO-8601 duration (`PnDTnHnMn.nS`) to milliseconds; `undefined` if not one. */
export function parseIsoDurationMs(text: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/i.exec(text);
  if (!m || /^P$/i.test(text) || /T$/i.test(text)) return undefined;
  const [, d, h, min, s] = m;
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v.replace(',', '.')));
  return Math.round((((n(d) * 24 + n(h)) * 60 + n(min)) * 60 + n(s)) * 1000);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}
