import type { Label } from './flow-model.js';
import { LABEL_KEY } from './flow-patterns.js';
import type { IssueCollector } from './issue-collector.js';
import type { YamlPath } from './yaml-path.js';

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * Labels written as a map (`team: data`) or a list of `{key, value}`, as a
 * list; keys must match Kestra's label key pattern and values be non-empty.
 *
 * @example
 * parseLabels({ team: 'data' }, ['labels'], issues); // [{ key: 'team', value: 'data' }]
 */
export function parseLabels(raw: unknown, path: YamlPath, issues: IssueCollector): Label[] {
  if (raw === undefined || raw === null) return [];
  const entries: Array<{ key: unknown; value: unknown; at: YamlPath }> = [];
  if (isMap(raw)) {
    for (const [key, value] of Object.entries(raw)) entries.push({ key, value, at: [...path, key] });
  } else if (Array.isArray(raw)) {
    raw.forEach((item, i) => {
      if (isMap(item)) entries.push({ key: item.key, value: item.value, at: [...path, i] });
      else issues.add([...path, i], 'expected a label: {key, value}');
    });
  } else {
    issues.add(path, 'expected a map or a list of {key, value}');
    return [];
  }
  const out: Label[] = [];
  for (const { key, value, at } of entries) {
    if (typeof key !== 'string' || !LABEL_KEY.test(key)) {
      issues.add(
        at,
        `invalid label key "${String(key)}": it must start with a lowercase letter and contain only letters, digits, ., _ and -`,
      );
    } else if (!scalar(value) || String(value) === '') {
      issues.add(at, `label "${key}" needs a non-empty text value`);
    } else {
      out.push({ key, value: String(value) });
    }
  }
  return out;
}
