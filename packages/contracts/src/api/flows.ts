import { z } from 'zod';
import { LabelJsonSchema } from './executions.js';

/** A task or a trigger as written in the YAML: `id`, `type`, and its own properties. */
const PluginJsonSchema = z.looseObject({ id: z.string(), type: z.string() });

/**
 * Kestra's `Flow` / `FlowWithSource` on the wire: the properties as written
 * in the YAML (tasks keep their own properties and type names), with labels
 * as `[{key, value}]`, inputs with `id`, the stored `revision`, `disabled`,
 * `deleted`, `updated`; `source` only when asked (`?source=true`, create and
 * update answers). Unknown written properties pass through.
 *
 * @example
 * const flow = FlowJsonSchema.parse(await (await fetch(`${api}/flows/company.team/hello`)).json());
 * flow.tasks.map((t) => t.type);
 */
export const FlowJsonSchema = z.looseObject({
  id: z.string(),
  namespace: z.string(),
  revision: z.number().int(),
  description: z.string().optional(),
  labels: z.array(LabelJsonSchema).optional(),
  inputs: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional(),
  variables: z.record(z.string(), z.unknown()).optional(),
  tasks: z.array(PluginJsonSchema),
  errors: z.array(PluginJsonSchema).optional(),
  finally: z.array(PluginJsonSchema).optional(),
  afterExecution: z.array(PluginJsonSchema).optional(),
  triggers: z.array(PluginJsonSchema).optional(),
  pluginDefaults: z.array(z.record(z.string(), z.unknown())).optional(),
  disabled: z.boolean(),
  deleted: z.boolean(),
  updated: z.string(),
  source: z.string().optional(),
});
export type FlowJson = z.infer<typeof FlowJsonSchema>;
