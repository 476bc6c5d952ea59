import { closest } from './edit-distance.js';
import { type FlowOutput, INPUT_TYPES, type Input, type InputType } from './flow-model.js';
import { INPUT_ID } from './flow-patterns.js';
import { parseIsoDuration } from './iso-duration.js';
import type { IssueCollector } from './issue-collector.js';
import { isTemplate } from './schema-kit.js';
import type { YamlPath } from './yaml-path.js';

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const KNOWN = new Set<string>(INPUT_TYPES);
/** Typed fields of `Input`; everything else an input declares goes to `props`. */
const TYPED = new Set([
  'id',
  'name',
  'type',
  'description',
  'displayName',
  'required',
  'defaults',
  'validator',
  'min',
  'max',
  'after',
  'before',
  'values',
  'itemType',
]);

/** Reads an input or output `type`, mapping 2.0's `BOOL`; records an issue when unknown. */
function inputType(raw: unknown, path: YamlPath, issues: IssueCollector): InputType | undefined {
  if (raw === undefined) return void issues.add(path, 'is required');
  if (typeof raw !== 'string') return void issues.add(path, 'expected a string');
  if (raw === 'BOOL') return 'BOOLEAN';
  if (KNOWN.has(raw)) return raw as InputType;
  const hint = closest(raw, INPUT_TYPES);
  issues.add(path, `unknown input type "${raw}"${hint ? `; did you mean "${hint}"?` : ''}`);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Why a default does not fit its input type, or `undefined` when it fits (templates always fit). */
export function defaultMismatch(type: InputType, value: unknown, values?: unknown[]): string | undefined {
  if (isTemplate(value)) return undefined;
  const isNumText = (v: unknown, re: RegExp) => typeof v === 'string' && re.test(v.trim());
  switch (type) {
    case 'INT':
      return Number.isInteger(value) || isNumText(value, /^-?\d+$/) ? undefined : 'expected an integer';
    case 'FLOAT':
      return typeof value === 'number' || isNumText(value, /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/)
        ? undefined
        : 'expected a number';
    case 'BOOLEAN':
      return typeof value === 'boolean' || value === 'true' || value === 'false'
        ? undefined
        : 'expected true or false';
    case 'DATETIME':
      return isNumText(value, DATETIME)
        ? undefined
        : 'expected an ISO-8601 date-time such as 2024-01-31T12:00:00Z';
    case 'DATE':
      return isNumText(value, DATE) ? undefined : 'expected a date such as 2024-01-31';
    case 'TIME':
      return isNumText(value, TIME) ? undefined : 'expected a time such as 12:30:00';
    case 'DURATION':
      return typeof value === 'string' && parseIsoDuration(value) !== undefined
        ? undefined
        : 'expected an ISO-8601 duration such as PT30S';
    case 'STRING':
    case 'EMAIL':
    case 'URI':
    case 'SECRET':
    case 'FILE':
      return typeof value === 'string' ? undefined : 'expected a string';
    case 'ENUM':
    case 'SELECT':
      return values === undefined || values.includes(value)
        ? undefined
        : `expected one of ${values.map(String).join(', ')}`;
    case 'MULTISELECT':
      return Array.isArray(value) && (values === undefined || value.every((v) => values.includes(v)))
        ? undefined
        : `expected a list of values among ${(values ?? []).map(String).join(', ')}`;
    case 'ARRAY':
      return Array.isArray(value) || typeof value === 'string' ? undefined : 'expected a list';
    case 'JSON':
    case 'YAML':
      return undefined;
  }
}

/**
 * Parses the flow's input declarations (the values are resolved at run time,
 * elsewhere): `id` (or the deprecated `name`), `type`, a default that fits
 * the type, unique ids.
 *
 * @example
 * parseInputs([{ id: 'n', type: 'INT', defaults: 3 }], ['inputs'], issues);
 */
export function parseInputs(raw: unknown, path: YamlPath, issues: IssueCollector): Input[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.add(path, 'expected a list of inputs');
    return [];
  }
  const out: Input[] = [];
  const seen = new Set<string>();
  raw.forEach((item, i) => {
    const at = [...path, i];
    if (!isMap(item)) {
      issues.add(at, 'expected an input: a map with id and type');
      return;
    }
    const idKey = item.id !== undefined ? 'id' : item.name !== undefined ? 'name' : 'id';
    const id = item[idKey];
    let ok = true;
    const fail = (p: YamlPath, message: string) => {
      ok = false;
      issues.add(p, message);
    };
    if (id === undefined) fail([...at, 'id'], 'is required');
    else if (typeof id !== 'string' || !INPUT_ID.test(id))
      fail(
        [...at, idKey],
        `invalid input id "${String(id)}": it must start with a letter or a digit and contain only letters, digits, ., _ and -`,
      );
    else if (seen.has(id)) fail([...at, idKey], `duplicate input id "${id}"`);
    else seen.add(id);
    const type = inputType(item.type, [...at, 'type'], issues);
    if (!type) return;
    if (item.required !== undefined && typeof item.required !== 'boolean')
      fail([...at, 'required'], 'expected true or false');
    if (item.values !== undefined && !Array.isArray(item.values)) fail([...at, 'values'], 'expected a list');
    const values = Array.isArray(item.values) ? item.values : undefined;
    if (
      (type === 'ENUM' || type === 'SELECT' || type === 'MULTISELECT') &&
      item.values === undefined &&
      item.expression === undefined
    )
      fail([...at, 'values'], `is required for a ${type} input`);
    let itemType: InputType | undefined;
    if (item.itemType !== undefined) {
      itemType = inputType(item.itemType, [...at, 'itemType'], issues);
      if (!itemType) ok = false;
    }
    if (item.defaults !== undefined && item.defaults !== null) {
      const why = defaultMismatch(type, item.defaults, values);
      if (why) fail([...at, 'defaults'], `default does not fit type ${type}: ${why}`);
    }
    if (!ok) return;
    const props: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(item)) if (!TYPED.has(k)) props[k] = v;
    const input: Input = {
      id: id as string,
      type,
      required: typeof item.required === 'boolean' ? item.required : item.defaults === undefined,
      props,
    };
    for (const k of ['description', 'displayName', 'validator', 'after', 'before'] as const)
      if (typeof item[k] === 'string') input[k] = item[k] as string;
    for (const k of ['min', 'max'] as const)
      if (typeof item[k] === 'string' || typeof item[k] === 'number') input[k] = item[k] as string | number;
    if (item.defaults !== undefined) input.defaults = item.defaults;
    if (values) input.values = values;
    if (itemType) input.itemType = itemType;
    out.push(input);
  });
  return out;
}

/**
 * Parses the flow's `outputs`: each needs `id`, `type` and `value`.
 *
 * @example
 * parseOutputs([{ id: 'key', type: 'STRING', value: '{{ outputs.t.value }}' }], ['outputs'], issues);
 */
export function parseOutputs(raw: unknown, path: YamlPath, issues: IssueCollector): FlowOutput[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.add(path, 'expected a list of outputs');
    return [];
  }
  const out: FlowOutput[] = [];
  raw.forEach((item, i) => {
    const at = [...path, i];
    if (!isMap(item)) {
      issues.add(at, 'expected an output: a map with id, type and value');
      return;
    }
    let ok = true;
    const fail = (p: YamlPath, message: string) => {
      ok = false;
      issues.add(p, message);
    };
    if (typeof item.id !== 'string' || !INPUT_ID.test(item.id))
      fail([...at, 'id'], item.id === undefined ? 'is required' : `invalid output id "${String(item.id)}"`);
    if (item.value === undefined) fail([...at, 'value'], 'is required');
    const type = inputType(item.type, [...at, 'type'], issues);
    if (!type || !ok) return;
    const o: FlowOutput = { id: item.id as string, type, value: item.value };
    if (typeof item.description === 'string') o.description = item.description;
    if (typeof item.required === 'boolean') o.required = item.required;
    out.push(o);
  });
  return out;
}
