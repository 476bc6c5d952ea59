/**
 * The bounds on hostile input (issue 12 §5), in one place; README.md
 * "Limits" lists them. Each is far above what a real flow or request needs
 * and far below what breaks the instance: past them a request gets a 4xx
 * whose message names the limit, never a 500.
 *
 * Measured here (Node 20): `JSON.stringify` of a 10,000-deep array throws
 * `RangeError: Maximum call stack size exceeded` (the execution store
 * serialises every execution); yaml's composer, which recurses, runs out of
 * stack on 2,000 nested block maps under vitest and not in a bare `node`,
 * so only a bound checked before composing is deterministic.
 */
export const LIMITS = {
  /**
   * Deepest nesting of maps and lists: in a flow's YAML, a JSON body (inputs,
   * resume, webhook, KV value) and a JSON, YAML or ARRAY input value. A flow
   * nests two levels per flowable task (`tasks:` list + task map), so this
   * leaves room for about 48 levels of tasks.
   * @default 100
   */
  maxNestingDepth: 100,
  /**
   * yaml's `maxAliasCount` for a flow: alias expansions allowed while a
   * document is turned into values (`Document.toJS`). It stops a "billion
   * laughs" alias bomb; ordinary anchors (`<<: *defaults`) stay far below.
   * @default 1000
   */
  maxYamlAliasCount: 1000,
  /**
   * Largest flow source in bytes (`POST /flows`, `PUT /flows/{ns}/{id}`,
   * `POST /flows/validate`). The source is stored with every revision and
   * parsed again for every answer; Kestra's own largest examples are ~20 KB.
   * @default 524288 (512 KiB)
   */
  maxFlowSourceBytes: 512 * 1024,
  /**
   * Largest JSON (or form) body of inputs, resume inputs or a webhook, in
   * bytes. These values are kept inline in the execution, which SQLite
   * rewrites on every state change; bigger data belongs in a FILE input.
   * Files in a multipart body are bounded by the request body limit only
   * (`SILO_MAX_BODY_BYTES`).
   * @default 10485760 (10 MiB)
   */
  maxInlineDataBytes: 10 * 1024 * 1024,
} as const;

/**
 * True when `value` nests maps and lists deeper than `max` (a scalar is depth
 * 0, `[]` and `{}` depth 1). Iterative, with an explicit stack, so it cannot
 * itself overflow on the values it is meant to refuse.
 *
 * @example
 * exceedsNestingDepth([[1]], 1); // true
 * exceedsNestingDepth({ a: [1] }, 2); // false
 */
export function exceedsNestingDepth(value: unknown, max: number = LIMITS.maxNestingDepth): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** The words every refusal uses, so that messages name the limit the same way. */
export const nestingLimitMessage = (max: number = LIMITS.maxNestingDepth) =>
  `nested deeper than ${max} levels of maps and lists (the nesting limit)`;
