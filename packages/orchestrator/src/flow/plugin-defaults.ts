import { lookupType } from './task-registry.js';

export type PluginDefault = { type: string; forced: boolean; values: Record<string, unknown> };

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of maps; `top` wins, lists and scalars are replaced whole. */
function merge(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(top)) {
    const b = out[k];
    out[k] = isMap(b) && isMap(v) ? merge(b, v) : v;
  }
  return out;
}

/** A default applies to its type (by any of its names) and, as a prefix, to a whole package. */
function applies(def: PluginDefault, type: string): boolean {
  if (def.type === type || type.startsWith(`${def.type}.`)) return true;
  const canonical = lookupType(type)?.type;
  const defCanonical = lookupType(def.type)?.type;
  return canonical !== undefined && (canonical === defCanonical || canonical.startsWith(`${def.type}.`));
}

/**
 * Applies `pluginDefaults` (and the older `taskDefaults`) to one raw task or
 * trigger, as Kestra does: a value the task sets wins, unless the default is
 * `forced`.
 *
 * @example
 * applyPluginDefaults({ id: 'a', type: 'io.kestra.plugin.core.log.Log' },
 *   [{ type: 'io.kestra.plugin.core.log.Log', forced: false, values: { message: 'hi' } }]);
 * // { message: 'hi', id: 'a', type: 'io.kestra.plugin.core.log.Log' }
 */
export function applyPluginDefaults(
  raw: Record<string, unknown>,
  defaults: readonly PluginDefault[],
): Record<string, unknown> {
  const type = raw.type;
  if (typeof type !== 'string' || defaults.length === 0) return raw;
  let out = raw;
  for (const def of defaults) {
    if (!applies(def, type)) continue;
    out = def.forced ? merge(out, def.values) : merge(def.values, out);
  }
  return out;
}
