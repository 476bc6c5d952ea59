import type { MigrationReason } from '@silo/contracts';
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  Scalar,
  type YAMLMap,
} from 'yaml';
import { formatPath, type YamlPath } from '../flow/yaml-path.js';

/**
 * What every rewrite rule gets: the document it edits in place (comments and
 * layout kept by the `yaml` Document API), and where it writes its reasons.
 * Lines are those of the source as written, read before any edit.
 */
export class MigrationContext {
  readonly reasons: MigrationReason[] = [];
  constructor(
    readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** A change made in the proposed YAML. */
  automatic(path: YamlPath, node: unknown, message: string): void {
    this.reasons.push({ path: formatPath(path), line: this.lineOf(node), message, kind: 'automatic' });
  }

  /** Something 2.0 refuses that no mechanical rewrite keeps equivalent. */
  manual(path: YamlPath, node: unknown, message: string): void {
    this.reasons.push({ path: formatPath(path), line: this.lineOf(node), message, kind: 'manual' });
  }

  lineOf(node: unknown): number {
    const offset = (node as Node | undefined)?.range?.[0];
    return offset === undefined ? 0 : this.lineCounter.linePos(offset).line;
  }
}

/** A task or trigger found in the flow: its map and where it sits. */
export type PluginNode = { map: YAMLMap; path: YamlPath; type: string };

/** Keys under which a task holds other tasks (Kestra's flowable tasks and flow-level lists). */
const TASK_LISTS = new Set(['tasks', 'errors', 'finally', 'afterExecution', 'then', 'else', 'default']);

/**
 * Every task of the flow, depth first, with its path (`tasks[0].tasks[1]`),
 * including `Switch` cases and `errors`/`finally` branches.
 */
export function tasksOf(doc: Document): PluginNode[] {
  const out: PluginNode[] = [];
  const visitList = (node: unknown, path: YamlPath) => {
    if (!isSeq(node)) return;
    node.items.forEach((item, i) => {
      if (!isMap(item)) return;
      const type = stringAt(item, 'type');
      const here = [...path, i];
      if (type !== undefined) out.push({ map: item, path: here, type });
      visitTask(item, here);
    });
  };
  const visitTask = (map: YAMLMap, path: YamlPath) => {
    for (const pair of map.items) {
      const key = keyOf(pair);
      if (key === undefined) continue;
      if (TASK_LISTS.has(key)) visitList(pair.value, [...path, key]);
      else if (key === 'cases' && isMap(pair.value)) {
        for (const c of pair.value.items) {
          const k = keyOf(c);
          if (k !== undefined) visitList(c.value, [...path, key, k]);
        }
      }
    }
  };
  if (isMap(doc.contents)) visitTask(doc.contents, []);
  return out;
}

/** The flow's triggers with their paths. */
export function triggersOf(doc: Document): PluginNode[] {
  const list = isMap(doc.contents) ? doc.contents.get('triggers', true) : undefined;
  if (!isSeq(list)) return [];
  return list.items.flatMap((item, i) => {
    const type = isMap(item) ? stringAt(item, 'type') : undefined;
    return isMap(item) && type !== undefined ? [{ map: item, path: ['triggers', i], type }] : [];
  });
}

export function keyOf(pair: unknown): string | undefined {
  if (!isPair(pair)) return undefined;
  const key = (pair as Pair).key;
  // Pairs added with `map.set('k', …)` hold the plain string.
  if (typeof key === 'string') return key;
  return isScalar(key) ? String(key.value) : undefined;
}

export function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => keyOf(p) === key) as Pair | undefined;
}

export function stringAt(map: YAMLMap, key: string): string | undefined {
  const value = map.get(key, true);
  return isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
}

/**
 * Removes `key` from `map`, handing the comment written above it to the
 * entry that follows (a deleted key must not take comments with it).
 */
export function deleteKey(map: YAMLMap, key: string): void {
  const index = map.items.findIndex((p) => keyOf(p) === key);
  if (index < 0) return;
  const gone = map.items[index]?.key;
  const comment = isScalar(gone) ? gone.commentBefore : undefined;
  map.items.splice(index, 1);
  const next = map.items[index];
  if (comment && next) {
    if (!isScalar(next.key)) next.key = new Scalar(next.key);
    const nextKey = next.key as Scalar;
    nextKey.commentBefore = nextKey.commentBefore ? `${comment}\n${nextKey.commentBefore}` : comment;
  }
}

/** Renames a key where it is written (its value, comments and position kept). */
export function renameKey(pair: Pair, to: string): void {
  (pair.key as Scalar).value = to;
}

/** Every string scalar under `node`, with its path, for expression rewrites. */
export function stringScalars(node: unknown, path: YamlPath): { scalar: Scalar; path: YamlPath }[] {
  const out: { scalar: Scalar; path: YamlPath }[] = [];
  const visit = (n: unknown, p: YamlPath) => {
    if (isScalar(n)) {
      if (typeof n.value === 'string') out.push({ scalar: n, path: p });
    } else if (isMap(n)) {
      for (const pair of n.items) {
        const key = keyOf(pair);
        visit(pair.value, [...p, key ?? '?']);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => {
        visit(item, [...p, i]);
      });
    }
  };
  visit(node, path);
  return out;
}

/** The last segment of a plugin type: `io.kestra.plugin.core.flow.ForEach` → `ForEach`. */
export function shortType(type: string): string {
  return type.slice(type.lastIndexOf('.') + 1);
}
