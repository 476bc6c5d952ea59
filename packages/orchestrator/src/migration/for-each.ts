import { isMap, isSeq, type Scalar, type YAMLMap } from 'yaml';
import type { YamlPath } from '../flow/yaml-path.js';
import { type MigrationContext, pairOf, shortType, stringScalars, tasksOf } from './migration-context.js';

const FOR_EACH = /(^|\.)ForEach$/;
/** Iteration tasks with no single 2.0 replacement (CHANGES.md A.1, A.9). */
const NO_LOOP = /(^|\.)(ForEachItem|EachSequential|EachParallel)$/;
/** The `ForEach` properties a `Loop` has too (with the same meaning). */
const LOOP_KEYS = new Set([
  'id',
  'type',
  'description',
  'values',
  'tasks',
  'errors',
  'finally',
  'concurrencyLimit',
]);
/** Expressions whose meaning inside a loop changed and that a rewrite cannot follow. */
const PARENT_VALUE = /\bparents?\b[[.]/;

/**
 * Simple `ForEach` → `Loop` (CHANGES.md A.1): same `values` and `tasks`,
 * `concurrencyLimit: 1` written when absent (ForEach ran one after another,
 * Loop defaults to unlimited), `taskrun.value` → `item.value`,
 * `taskrun.iteration` → `item.index`, `outputs.x[taskrun.value]` →
 * `outputs.x` inside the loop. Manual: nested loops, `parent(s)` inside,
 * outputs of the loop's tasks read after it (2.0 exposes only declared loop
 * `outputs`), other properties.
 */
export function rewriteForEach(ctx: MigrationContext): void {
  const tasks = tasksOf(ctx.doc);
  for (const task of tasks) {
    if (NO_LOOP.test(task.type)) {
      ctx.manual(
        [...task.path, 'type'],
        task.map.get('type', true),
        `${shortType(task.type)} is removed in 2.0; use io.kestra.plugin.core.flow.Loop (over a file's lines, or over chunks from storage.Split with a Subflow per chunk)`,
      );
    }
  }
  const loops = tasks.filter((t) => FOR_EACH.test(t.type));
  for (const loop of loops) {
    const problem = whyNotSimple(ctx, loop.map, loop.path, loops);
    if (problem !== undefined) {
      ctx.manual(
        [...loop.path, 'type'],
        loop.map.get('type', true),
        `ForEach is removed in 2.0 (Loop): ${problem}`,
      );
      continue;
    }
    const typeNode = loop.map.get('type', true) as Scalar;
    ctx.automatic(
      [...loop.path, 'type'],
      typeNode,
      'ForEach → io.kestra.plugin.core.flow.Loop (taskrun.value → item.value, taskrun.iteration → item.index)',
    );
    typeNode.value = 'io.kestra.plugin.core.flow.Loop';
    if (!pairOf(loop.map, 'concurrencyLimit')) {
      ctx.automatic(
        [...loop.path, 'concurrencyLimit'],
        typeNode,
        "concurrencyLimit: 1 keeps ForEach's one-after-another order (Loop defaults to unlimited)",
      );
      insertAfter(loop.map, 'type', 'concurrencyLimit', 1);
    }
    for (const { scalar } of stringScalars(loop.map.get('tasks', true), [])) {
      scalar.value = (scalar.value as string)
        .replace(/\boutputs\.([A-Za-z_][\w-]*)\[\s*taskrun\.value\s*\]/g, 'outputs.$1')
        .replace(/\btaskrun\.value\b/g, 'item.value')
        .replace(/\btaskrun\.iteration\b/g, 'item.index');
    }
  }
}

function whyNotSimple(
  ctx: MigrationContext,
  map: YAMLMap,
  path: YamlPath,
  loops: { path: YamlPath }[],
): string | undefined {
  const extra = map.items.map((p) => String((p.key as Scalar).value)).filter((k) => !LOOP_KEYS.has(k));
  if (extra.length > 0) return `${extra.join(', ')} ha${extra.length > 1 ? 've' : 's'} no Loop equivalent`;
  const inner = map.get('tasks', true);
  const prefix = JSON.stringify(path).slice(0, -1);
  if (loops.some((l) => l.path !== path && JSON.stringify(l.path).startsWith(prefix)))
    return 'a nested ForEach reads its outer value as item.parent.value in 2.0';
  const texts = stringScalars(inner, []).map((s) => s.scalar.value as string);
  if (texts.some((t) => PARENT_VALUE.test(t)))
    return 'parent/parents inside the loop become item.value or item.parent.value in 2.0';
  const innerIds = new Set(
    (isSeq(inner) ? inner.items : []).flatMap(function ids(item): string[] {
      if (!isMap(item)) return [];
      const id = item.get('id');
      const sub = item.get('tasks', true);
      return [...(typeof id === 'string' ? [id] : []), ...(isSeq(sub) ? sub.items.flatMap(ids) : [])];
    }),
  );
  const loopId = map.get('id');
  const outside = stringScalars(ctx.doc.contents, []).filter(
    ({ path: p }) => !JSON.stringify(p).startsWith(prefix),
  );
  for (const { scalar } of outside) {
    const text = scalar.value as string;
    for (const m of text.matchAll(/\boutputs\.([A-Za-z_][\w-]*)/g)) {
      if (innerIds.has(m[1] as string))
        return `outputs.${m[1]} is read after the loop (2.0 exposes only the loop's declared outputs: outputs.<loopId>.outputs / loopOutputs())`;
      if (m[1] === loopId) return `outputs.${m[1]} changes shape in 2.0 (iterationCount, outputs)`;
    }
  }
  return undefined;
}

/** Adds `key: value` right after `after` (layout of the other entries kept). */
function insertAfter(map: YAMLMap, after: string, key: string, value: unknown): void {
  map.set(key, value);
  const added = map.items.pop();
  const index = map.items.findIndex((p) => String((p.key as Scalar).value) === after);
  if (added) map.items.splice(index + 1, 0, added);
}
