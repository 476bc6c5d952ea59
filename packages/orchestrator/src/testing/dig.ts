/**
 * The value at `path` inside JSON the flow author shapes (outputs, inputs,
 * trigger variables), or `undefined` when a step is missing or not an object.
 * Tests read such `unknown` values with it instead of casting them to `any`.
 *
 * @example
 * expect(dig(taskRun.outputs, 'values', 'state')).toBe('SUCCESS');
 */
export function dig(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
