import type { FlowJson, KestraVersion } from '@silo/contracts';
import { parse } from 'yaml';
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

/** Flow properties 2.0 no longer returns (CHANGES.md A.6, A.10: a stored 1.3 revision shows without them). */
const REMOVED_IN_20 = new Set<string>(['pluginDefaults', 'workerGroup']);

/**
 * Kestra's `Flow` / `FlowWithSource` JSON of a stored revision: the properties
 * as written in the YAML (tasks keep their own properties and type names),
 * with what Kestra normalises normalised: labels as `[{key, value}]`, inputs
 * with `id` (not the deprecated `name`), the stored revision, `deleted`,
 * `updated`; `source` only when asked; with `dialect` '2.0', `draft` and
 * without `pluginDefaults`/`workerGroup`. The shape is `FlowJson` of
 * `@silo/contracts`.
 *
 * @example
 * c.json(toFlowJson(record, { source: true }));
 */
export function toFlowJson(
  record: FlowRecord,
  options: { source?: boolean; dialect?: KestraVersion } = {},
): FlowJson {
  const v20 = options.dialect === '2.0';
  const raw = parse(record.source) as unknown;
  const written = isMap(raw) ? raw : {};
  const out: Record<string, unknown> = {
    id: record.id,
    namespace: record.namespace,
    revision: record.revision,
  };
  for (const key of AS_WRITTEN)
    if (written[key] !== undefined && written[key] !== null && !(v20 && REMOVED_IN_20.has(key)))
      out[key] = written[key];
  if (!v20 && written.pluginDefaults === undefined && Array.isArray(written.taskDefaults))
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
  // Kestra 2.0 serialises each revision's draft flag (the 2.0 Flow schema requires it; CHANGES.md B.6.3).
  if (v20) out.draft = record.flow.draft ?? false;
  out.deleted = record.deleted;
  out.updated = record.updated;
  if (options.source) out.source = record.source;
  // The properties above are copied as written (loose by design, as Kestra's); the fixed ones are typed.
  return out as FlowJson;
}
