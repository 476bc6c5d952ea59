import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import {
  deleteKey,
  keyOf,
  type MigrationContext,
  type PluginNode,
  pairOf,
  stringAt,
  tasksOf,
  triggersOf,
} from './migration-context.js';

/**
 * `pluginDefaults` (and the older `taskDefaults`) are removed in 2.0 (422
 * "Unrecognized field"; OSS has no replacement): their values are written on
 * each matching task and trigger (type equal, or a package prefix of it, as
 * Kestra matches), where the task does not set them already; maps are
 * merged key by key. Flow-level `forced` was already ignored by 1.3, so it
 * overrides nothing here either. Then the block goes.
 */
export function inlinePluginDefaults(ctx: MigrationContext): void {
  const root = ctx.doc.contents;
  if (!isMap(root)) return;
  for (const key of ['pluginDefaults', 'taskDefaults']) {
    const pair = pairOf(root, key);
    if (!pair) continue;
    const list = pair.value;
    if (!isSeq(list)) {
      ctx.manual(
        [key],
        pair.key,
        `${key} is removed in 2.0 and this one is not a list: write its values on the tasks`,
      );
      continue;
    }
    const plugins = [...tasksOf(ctx.doc), ...triggersOf(ctx.doc)];
    const touched: string[] = [];
    for (const entry of list.items) {
      if (!isMap(entry)) continue;
      const type = stringAt(entry, 'type');
      const values = entry.get('values', true);
      if (type === undefined || !isMap(values)) continue;
      for (const plugin of plugins.filter((p) => matches(type, p))) {
        if (merge(plugin.map, values)) touched.push(String(plugin.map.get('id') ?? plugin.type));
      }
    }
    const where = touched.length > 0 ? `inlined into ${[...new Set(touched)].join(', ')}` : 'no task matched';
    ctx.automatic([key], pair.key, `${key} is removed in 2.0: ${where}`);
    deleteKey(root, key);
  }
}

function matches(defaultType: string, plugin: PluginNode): boolean {
  return plugin.type === defaultType || plugin.type.startsWith(`${defaultType}.`);
}

/** Adds what `target` lacks from `values` (recursively for maps); true when something was added. */
function merge(target: YAMLMap, values: YAMLMap): boolean {
  let added = false;
  for (const pair of values.items) {
    const key = keyOf(pair);
    if (key === undefined) continue;
    const mine = target.get(key, true);
    if (mine === undefined) {
      target.set(key, ctxClone(pair.value));
      added = true;
    } else if (isMap(mine) && isMap(pair.value)) {
      added = merge(mine, pair.value) || added;
    }
  }
  return added;
}

function ctxClone(node: unknown): unknown {
  if (isMap(node) || isSeq(node) || isScalar(node)) return node.clone();
  return node;
}
