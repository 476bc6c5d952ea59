import type { FlowJson } from '@silo/contracts';
import { parse } from 'yaml';
import { instanceDialect } from '../flow/dialect.js';
import type { FlowRecord } from '../ports/flow-repository.js';

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Top-level properties copied as written in the YAML (Kestra shows tasks as the user wrote them). */
const AS_WRITTEN = [
  'description',
  'variables',
  'tasks',
  'errors',
  'finally',
  'afterExecution',
  'triggers',
  'pluginDefaults',
  'outputs',
  'concurrency',
  'retry',
  'sla',
  'workerGroup',
] as const;

/**
 * Kestra's `Flow` / `FlowWithSource` JSON of a stored revision: the properties
 * as written in the YAML (tasks keep their own properties and type names),
 * with what Kestra normalises normalised: labels as `[{key, value}]`, inputs
 * with `id` (not the deprecated `name`), the stored revision, `deleted`,
 * `updated`; `source` only when asked. The shape is `FlowJson` of
 * `@silo/contracts`.
 *
 * @example
 * c.json(toFlowJson(record, { source: true }));
 */
export function toFlowJson(record: FlowRecord, options: { source?: boolean } = {}): FlowJson {
  const raw = parse(record.source) as unknown;
  const written = isMap(raw) ? raw : {};
  const out: Record<string, unknown> = {
    id: record.id,
    namespace: record.namespace,
    revision: record.revision,
  };
  for (const key of AS_WRITTEN)
    if (written[key] !== undefined && written[key] !== null) out[key] = written[key];
  if (written.pluginDefaults === undefined && Array.isArray(written.taskDefaults))
    out.pluginDefaults = written.taskDefaults;
  if (record.flow.labels.length > 0) out.labels = record.flow.labels;
  if (Array.isArray(written.inputs)) {
    out.inputs = written.inputs.map((input) => {
      if (!isMap(input)) return input;
      const { name, ...rest } = input;
      const shown: Record<string, unknown> =
        input.id === undefined && name !== undefined ? { id: name, ...rest } : input;
      // Kestra's `defaults` is a `Property`: an expression string or an object, never a bare number or boolean.
      const d = shown.defaults;
      if (typeof d === 'number' || typeof d === 'boolean') return { ...shown, defaults: String(d) };
      return shown;
    });
  }
  out.disabled = record.flow.disabled;
  // Kestra 2.0 serialises each revision's draft flag (the 2.0 Flow schema requires it).
  if (instanceDialect() === '2.0') out.draft = record.flow.draft ?? false;
  out.deleted = record.deleted;
  out.updated = record.updated;
  if (options.source) out.source = record.source;
  // The properties above are copied as written (loose by design, as Kestra's); the fixed ones are typed.
  return out as FlowJson;
}
