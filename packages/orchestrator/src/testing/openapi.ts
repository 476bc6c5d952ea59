import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { sharedPath } from './shared-corpus.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The patches SCOPE.md lists, applied to the loaded copy (never the file):
 * 1. `variables` (and `PluginDefault.values`) lose `additionalProperties: false`;
 * 2. `Property_*` schemas lose `type: object` and keep their `oneOf`;
 * 3. OpenAPI 3.0's `nullable: true` becomes a union with `null`, its boolean
 *    `exclusiveMinimum`/`exclusiveMaximum` the numeric JSON Schema ones.
 */
function patch(spec: Json): Json {
  const schemas = (spec.components as Json).schemas as Record<string, Json>;
  const openVariables = (schema: Json | undefined, key: string) => {
    const walk = (s: unknown) => {
      if (!isObj(s)) return;
      const props = s.properties as Record<string, Json> | undefined;
      if (props?.[key]) delete props[key].additionalProperties;
      for (const part of (s.allOf as unknown[]) ?? []) walk(part);
    };
    walk(schema);
  };
  for (const name of ['AbstractFlow', 'Flow', 'FlowWithSource', 'FlowForExecution'])
    openVariables(schemas[name], 'variables');
  openVariables(schemas.PluginDefault, 'values');
  for (const [name, schema] of Object.entries(schemas)) {
    if (name.startsWith('Property_') && schema.oneOf) delete schema.type;
  }
  const nullable = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(nullable);
    if (!isObj(node)) return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) out[k] = nullable(v);
    // OpenAPI 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` become JSON Schema's numeric ones (the 2.0 file uses them).
    for (const [flag, bound] of [
      ['exclusiveMinimum', 'minimum'],
      ['exclusiveMaximum', 'maximum'],
    ] as const) {
      if (typeof out[flag] !== 'boolean') continue;
      if (out[flag] === true && typeof out[bound] === 'number') {
        out[flag] = out[bound];
        delete out[bound];
      } else delete out[flag];
    }
    if (out.nullable === true) {
      delete out.nullable;
      if (typeof out.type === 'string')
        return {
          ...out,
          type: [out.type, 'null'],
          ...(out.enum ? { enum: [...(out.enum as unknown[]), null] } : {}),
        };
      return { anyOf: [out, { type: 'null' }] };
    }
    return out;
  };
  (spec.components as Json).schemas = nullable(schemas);
  return spec;
}

/**
 * The artefacts of the 2.0 snapshot that CHANGES.md B.6 lists, patched on
 * the loaded copy: `State` requires getter names (`getDuration`, …) that
 * Kestra never sends; `AbstractTrigger` lists `when` as required; flow
 * `labels` is a `oneOf` of `{empty: boolean}` (a list of `Label` or a map
 * of strings in fact); map values typed `{type: object}` (any JSON in fact).
 * `draft` stays required (B.6.3: 2.0 bodies carry it).
 */
function patch20(spec: Json): Json {
  const schemas = (spec.components as Json).schemas as Record<string, Json>;
  const state = schemas.State!;
  state.required = (state.required as string[]).filter((r) => !r.startsWith('get'));
  const trigger = schemas.AbstractTrigger!;
  trigger.required = (trigger.required as string[]).filter((r) => r !== 'when');
  const labels = {
    description: 'Labels as a list of Label or a map of strings (CHANGES.md B.6.4).',
    oneOf: [
      { type: 'array', items: { $ref: '#/components/schemas/Label' } },
      { type: 'object', additionalProperties: { type: 'string' } },
    ],
  };
  const walk = (s: unknown) => {
    if (!isObj(s)) return;
    const props = s.properties as Record<string, Json> | undefined;
    if (props?.labels && JSON.stringify(props.labels).includes('Map_Object.Object_')) props.labels = labels;
    for (const part of (s.allOf as unknown[]) ?? []) walk(part);
  };
  for (const name of ['AbstractFlow', 'Flow', 'FlowWithSource', 'FlowForExecution']) walk(schemas[name]);
  // Java `Map<String, Object>` is written `additionalProperties: {type: object}` (so `inputs: {name: "Ada"}`
  // would fail): the values are any JSON (API-SCOPE-2.0.md, "Spec patches").
  const anyValues = (node: unknown) => {
    if (Array.isArray(node)) for (const x of node) anyValues(x);
    if (!isObj(node)) return;
    const ap = node.additionalProperties;
    if (isObj(ap) && ap.type === 'object' && Object.keys(ap).length === 1) node.additionalProperties = true;
    for (const v of Object.values(node)) anyValues(v);
  };
  anyValues(schemas);
  // A KV value is any JSON (a string, a number, ...); the 2.0 file types Java's `Object` as `{type: object}`.
  const kvDetail = schemas['KVController.KvDetail']?.properties as Record<string, Json> | undefined;
  if (kvDetail?.value) kvDetail.value = {};
  return spec;
}

/** The specs tests validate against: Kestra 1.3.0 and the 2.0.0 snapshot (CHANGES.md, section D). */
export type KestraSpec = '1.3' | '2.0';
const SPEC_FILES: Record<KestraSpec, string[]> = {
  '1.3': ['conformance', 'kestra-api', 'kestra-1.3.0.yml'],
  '2.0': ['conformance', 'kestra-2.0', 'kestra-ee-2.0.0-snapshot.yml'],
};

const loaded = new Map<KestraSpec, Ajv>();
const compiled = new Map<string, ValidateFunction>();

function load(version: KestraSpec): Ajv {
  const ajv = loaded.get(version);
  if (ajv) return ajv;
  const raw = parse(readFileSync(sharedPath(...SPEC_FILES[version]), 'utf8')) as Json;
  const spec = patch(version === '2.0' ? patch20(raw) : raw);
  const instance = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(instance);
  for (const f of ['int32', 'int64', 'float', 'double', 'binary', 'byte']) instance.addFormat(f, true);
  instance.addSchema({ $id: 'kestra', components: spec.components }, 'kestra');
  loaded.set(version, instance);
  return instance;
}

/**
 * Validates JSON against a component schema of Kestra's 1.3.0 OpenAPI spec
 * (`shared/conformance/kestra-api/kestra-1.3.0.yml`, patched as SCOPE.md says),
 * or, with `version` '2.0', of the 2.0.0 snapshot (patched as CHANGES.md B.6 says too).
 * Returns the errors as readable lines; an empty list means valid.
 *
 * @example
 * expect(validateAgainst('FlowWithSource', await res.json())).toEqual([]);
 * expect(validateAgainst('Execution', execution)).toEqual([]);
 * expect(validateAgainst('ApiExecution', await res.json(), '2.0')).toEqual([]);
 */
export function validateAgainst(schemaName: string, json: unknown, version: KestraSpec = '1.3'): string[] {
  const instance = load(version);
  let validate = compiled.get(`${version}:${schemaName}`);
  if (!validate) {
    const ref = `kestra#/components/schemas/${schemaName.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    validate = instance.getSchema(ref);
    if (!validate) throw new Error(`no schema ${schemaName} in ${SPEC_FILES[version].at(-1)}`);
    compiled.set(`${version}:${schemaName}`, validate);
  }
  if (validate(json)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}
