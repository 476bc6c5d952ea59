import { type CST, isDocument, type LineCounter, Parser, visit } from 'yaml';
import { LIMITS, nestingLimitMessage } from '../limits.js';
import type { FlowIssue } from './flow-model.js';
import { formatPath } from './yaml-path.js';

type Walk = { token: CST.Token; depth: number; parent: Walk | undefined; seg: string | number | undefined };

const keyText = (key: CST.Token | null | undefined, index: number): string | number => {
  if (
    key &&
    (key.type === 'scalar' || key.type === 'single-quoted-scalar' || key.type === 'double-quoted-scalar')
  )
    return key.source.replace(/^["']|["']$/g, '');
  return index;
};

/**
 * The first place where `source` nests maps and lists deeper than `maxDepth`,
 * as a flow issue with its YAML path, line and column; `undefined` when none
 * does. It reads yaml's concrete syntax tree, which the `Parser` builds
 * without recursion, and walks it with an explicit stack: it runs before the
 * (recursive) composer, so a 10,000-deep document is refused, not a crash.
 *
 * @example
 * yamlNestingIssue('a:\n b:\n  c: 1\n', new LineCounter(), 2); // { path: 'a.b', message: 'nested deeper than 2 …', line: 2, column: 2 }
 */
export function yamlNestingIssue(
  source: string,
  lineCounter: LineCounter,
  maxDepth: number = LIMITS.maxNestingDepth,
): FlowIssue | undefined {
  const stack: Walk[] = [];
  for (const token of new Parser(lineCounter.addNewLine).parse(source)) {
    if (token.type === 'document' && token.value)
      stack.push({ token: token.value, depth: 0, parent: undefined, seg: undefined });
  }
  while (stack.length > 0) {
    const w = stack.pop()!;
    const t = w.token;
    if (t.type !== 'block-map' && t.type !== 'block-seq' && t.type !== 'flow-collection') continue;
    if (w.depth + 1 > maxDepth) {
      const path: Array<string | number> = [];
      for (let p: Walk | undefined = w; p?.seg !== undefined; p = p.parent) path.unshift(p.seg);
      const pos = lineCounter.linePos(t.offset);
      return {
        path: formatPath(path),
        message: nestingLimitMessage(maxDepth),
        line: pos.line,
        column: pos.col,
      };
    }
    const isSeq = t.type === 'block-seq' || (t.type === 'flow-collection' && t.start.source === '[');
    t.items.forEach((item, i) => {
      const seg = isSeq ? i : keyText(item.key, i);
      if (item.key) stack.push({ token: item.key, depth: w.depth + 1, parent: w, seg });
      if (item.value) stack.push({ token: item.value, depth: w.depth + 1, parent: w, seg });
    });
  }
  return undefined;
}

/**
 * `doc.toJS()` bounded by the alias limit: a document whose aliases expand
 * past `LIMITS.maxYamlAliasCount` (an alias bomb) is an issue at its first
 * alias instead of yaml's uncaught `ReferenceError`.
 *
 * @example
 * const r = boundedToJS(doc, lineCounter); if (!r.ok) issues.push(r.issue);
 */
export function boundedToJS(
  doc: import('yaml').Document,
  lineCounter: LineCounter,
): { ok: true; value: unknown } | { ok: false; issue: FlowIssue } {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: LIMITS.maxYamlAliasCount }) as unknown };
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    const bomb = /alias count/i.test(err.message);
    // `*a` with no `&a` before it: yaml throws at toJS(), not as a parse error (found by fuzzing, issue 19).
    const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(err.message)?.[1];
    if (!bomb && unresolved === undefined) throw err;
    let offset = 0;
    if (isDocument(doc))
      visit(doc, {
        Alias(_, node) {
          if (unresolved !== undefined && node.source !== unresolved) return undefined;
          offset = node.range?.[0] ?? 0;
          return visit.BREAK;
        },
      });
    const pos = lineCounter.linePos(offset);
    return {
      ok: false,
      issue: {
        path: '',
        message: bomb
          ? `YAML aliases expand more than ${LIMITS.maxYamlAliasCount} times (the alias limit): refused as an alias bomb`
          : `YAML alias *${unresolved} has no anchor &${unresolved} before it`,
        line: pos.line,
        column: pos.col,
      },
    };
  }
}
