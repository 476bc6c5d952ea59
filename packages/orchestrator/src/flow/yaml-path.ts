import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/** A path into the YAML document: map keys and sequence indexes. */
export type YamlPath = ReadonlyArray<string | number>;

/**
 * Renders a path the way people read it: `tasks[2].retry.maxAttempts`; keys
 * that are not plain identifiers are quoted: `outputs["1-2_return"]`.
 *
 * @example
 * formatPath(['tasks', 2, 'retry', 'maxAttempts']); // 'tasks[2].retry.maxAttempts'
 */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * Finds where a path is written in the source (1-based line and column): the
 * key for a map entry, the item for a sequence entry. When the path goes past
 * what is written (a missing property), the deepest part that exists.
 *
 * @example
 * locate(doc, lineCounter, ['tasks', 0, 'type']); // { line: 4, column: 5 }
 */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: YamlPath,
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  if (offset === undefined) return undefined;
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}
