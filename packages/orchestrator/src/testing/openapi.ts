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
 * 3. OpenAPI 3.0's `nullable: true` becomes a union with `null`.
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

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function load(): Ajv {
  if (ajv) return ajv;
  const spec = patch(
    parse(readFileSync(sharedPath('conformance', 'kestra-api', 'kestra-1.3.0.yml'), 'utf8')) as Json,
  );
  const instance = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(instance);
  for (const f of ['int32', 'int64', 'float', 'double', 'binary', 'byte']) instance.addFormat(f, true);
  instance.addSchema({ $id: 'kestra', components: spec.components }, 'kestra');
  ajv = instance;
  return instance;
}

/**
 * Validates JSON against a component schema of Kestra's 1.3.0 OpenAPI spec
 * (`shared/conformance/kestra-api/kestra-1.3.0.yml`, patched as SCOPE.md says).
 * Returns the errors as readable lines; an empty list means valid.
 *
 * @example
 * expect(validateAgainst('FlowWithSource', await res.json())).toEqual([]);
 * expect(validateAgainst('Execution', execution)).toEqual([]);
 */
export function validateAgainst(schemaName: string, json: unknown): string[] {
  const instance = load();
  let validate = compiled.get(schemaName);
  if (!validate) {
    const ref = `kestra#/components/schemas/${schemaName.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    validate = instance.getSchema(ref);
    if (!validate) throw new Error(`no schema ${schemaName} in kestra-1.3.0.yml`);
    compiled.set(schemaName, validate);
  }
  if (validate(json)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}
