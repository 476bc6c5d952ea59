import type { Input } from '../flow-model.js';
import { InputFailure, javaString } from './input-failure.js';
import { parseInputValue, type UploadedFile } from './parse-input-value.js';
import { validateInputValue } from './validate-input-value.js';

/** One input that could not be resolved, with Kestra's message. */
export type InputIssue = { input: string; message: string };

export type ResolveInputsResult =
  | { ok: true; values: Record<string, unknown> }
  | { ok: false; issues: InputIssue[] };

export type ResolveInputsOptions = {
  /** The clock, handed to `renderDefault` for defaults such as `{{ now() }}`. @default new Date() */
  now?: Date;
  /** Stores an uploaded file of a FILE input and returns its `kestra:///` URI. Without it, uploads are refused. */
  storeFile?: (inputId: string, file: UploadedFile) => string;
  /**
   * Renders a string default that is a template (`defaults: "{{ now() }}"`),
   * given the inputs resolved so far (nested as in `inputs`). Without it,
   * string defaults are used as written.
   */
  renderDefault?: (template: string, resolvedSoFar: Record<string, unknown>, now: Date) => unknown;
};

/** Puts `value` at a dotted path: `nested.more.int` → `{ nested: { more: { int } } }` (Kestra `handleNestedInputs`). */
function setNested(target: Record<string, unknown>, id: string, value: unknown): void {
  const parts = id.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = Object.hasOwn(node, part) ? node[part] : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      Object.defineProperty(node, part, {
        value: created,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      node = created;
    } else {
      node = next as Record<string, unknown>;
    }
  }
  Object.defineProperty(node, parts[parts.length - 1] as string, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function isTemplateString(v: unknown): v is string {
  return typeof v === 'string' && /\{[{%]/.test(v);
}

/**
 * Kestra's typed inputs (`FlowInputOutput.typedInputs`): for each declared
 * input, take the raw value (or its default), check `required`, parse it to
 * its type and validate it. Every problem is reported, not only the first.
 * Absent optional inputs resolve to `null` (the key is kept); raw keys that
 * no input declares are dropped; dotted ids become nested maps.
 *
 * Messages are Kestra's: "Invalid input for `string`, missing required
 * input, but received `null`".
 *
 * @example
 * ```ts
 * const r = resolveInputs(flow.inputs, { int: '42', 'nested.more.int': '123' }, {});
 * if (r.ok) r.values; // { int: 42, nested: { more: { int: 123 } }, ... }
 * else r.issues;      // [{ input: 'string', message: 'Invalid input for `string`, missing required input, but received `null`' }]
 * ```
 */
export function resolveInputs(
  inputs: Input[],
  raw: Record<string, unknown>,
  options: ResolveInputsOptions = {},
): ResolveInputsResult {
  const values: Record<string, unknown> = {};
  const issues: InputIssue[] = [];

  for (const input of inputs) {
    let current: unknown = Object.hasOwn(raw, input.id) ? raw[input.id] : undefined;
    if (current === undefined) current = null;
    const fail = (message: string) =>
      issues.push({
        input: input.id,
        message: `Invalid input for \`${input.id}\`, ${message}, but received \`${javaString(current)}\``,
      });

    try {
      if (current === null && input.defaults !== undefined && input.defaults !== null) {
        current =
          isTemplateString(input.defaults) && options.renderDefault
            ? options.renderDefault(input.defaults, values, options.now ?? new Date())
            : input.defaults;
      }
    } catch (e) {
      fail(`its default could not be rendered: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }

    if (current === null) {
      if (input.required) fail('missing required input');
      else setNested(values, input.id, null);
      continue;
    }

    try {
      const parsed = parseInputValue(
        input.type,
        current,
        { inputId: input.id, storeFile: options.storeFile },
        input.itemType,
      );
      validateInputValue(input, parsed);
      setNested(values, input.id, parsed);
    } catch (e) {
      if (e instanceof InputFailure) fail(e.message);
      else fail(e instanceof Error ? e.message : String(e));
    }
  }

  return issues.length > 0 ? { ok: false, issues } : { ok: true, values };
}
