import type { Label } from '../flow/flow-model.js';

/**
 * Labels of `extra` override those of `base` with the same key, in place; new ones are appended.
 *
 * @example
 * mergeLabels([{ key: 'a', value: '1' }], [{ key: 'a', value: '2' }]); // [{ key: 'a', value: '2' }]
 */
export function mergeLabels(base: Label[], extra: Label[]): Label[] {
  const m = new Map(base.map((l) => [l.key, l.value]));
  for (const l of extra) m.set(l.key, l.value);
  return [...m].map(([key, value]) => ({ key, value }));
}
