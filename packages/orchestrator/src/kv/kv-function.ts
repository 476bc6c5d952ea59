import type { KvService } from '../ports/kv-store.js';
import type { TemplateFunction } from '../template/template-function.js';
import { KvError, keyNotFoundError } from './kv-errors.js';

/**
 * The namespace and its parents, nearest first (Kestra's
 * `KVController.collapseNamespace`).
 *
 * @example
 * namespaceLineage('company.team.a'); // ['company.team.a', 'company.team', 'company']
 */
export function namespaceLineage(namespace: string): string[] {
  const result: string[] = [];
  let current = namespace;
  while (current.trim() !== '') {
    result.push(current);
    const dot = current.lastIndexOf('.');
    if (dot === -1) break;
    current = current.slice(0, dot);
  }
  return result;
}

/** The argument names of `kv()` in order, for templates that call it with named arguments (Pebble `getArgumentNames`). */
export const KV_FUNCTION_ARGUMENT_NAMES = ['key', 'namespace', 'errorOnMissing'] as const;

/**
 * Builds the template function `kv(key, namespace?, errorOnMissing = true)`
 * for a flow of `flowNamespace`, with Kestra's semantics (`KvFunction`):
 * - without `namespace`, the key is looked up in the flow's namespace, then
 *   in each parent namespace (nearest first);
 * - with `namespace`, only that namespace is read;
 * - a missing (or expired) key throws ``The key 'k' does not exist in the
 *   namespace 'ns'.`` unless `errorOnMissing` is false, which gives `null`.
 * Arguments bind by position or by name, as Pebble binds `getArgumentNames()`:
 * `kv('k', errorOnMissing=false)`.
 *
 * @example
 * render("{{ kv('my-key').field }}", variables, { functions: { kv: kvTemplateFunction(store, flow.namespace) } });
 */
export function kvTemplateFunction(store: KvService, flowNamespace: string): TemplateFunction {
  const kv = kvFunction(store, flowNamespace);
  return (args, named = {}) =>
    kv(...KV_FUNCTION_ARGUMENT_NAMES.map((name, i) => (name in named ? named[name] : args[i])));
}

/**
 * The same `kv()` with positional arguments only (`kv(key, namespace, errorOnMissing)`);
 * prefer `kvTemplateFunction`, which also takes named arguments.
 *
 * @example
 * kvFunction(store, 'io.kestra.tests')('my-key', 'other.ns', false); // the value, or null
 */
export function kvFunction(store: KvService, flowNamespace: string): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    const [key, namespace, errorOnMissing] = args;
    if (typeof key !== 'string') {
      throw new KvError('KV_INVALID_KEY', "The 'kv' function expects an argument 'key'.", flowNamespace);
    }
    if (namespace !== undefined && namespace !== null && typeof namespace !== 'string') {
      throw new KvError(
        'KV_INVALID_NAMESPACE',
        "The 'kv' function expects 'namespace' to be a string.",
        flowNamespace,
        key,
      );
    }
    const failOnMissing =
      errorOnMissing === undefined || errorOnMissing === null ? true : errorOnMissing !== false;
    const explicit = typeof namespace === 'string' ? namespace : undefined;
    const lookIn = explicit === undefined ? namespaceLineage(flowNamespace) : [explicit];
    for (const ns of lookIn) {
      const found = store.get(ns, key);
      if (found !== undefined) return found.value;
    }
    if (failOnMissing) throw keyNotFoundError(explicit ?? flowNamespace, key);
    return null;
  };
}
