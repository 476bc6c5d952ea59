import { z } from 'zod';
import type { FlowCheck } from './flow-model.js';
import type { IssueCollector } from './issue-collector.js';
import { nonEmptyStr, oneOf, zodMessage } from './schema-kit.js';
import type { YamlPath } from './yaml-path.js';

/** One flow check as written: 1.3 `condition` or 2.0 `when` (the dialect pass refuses the other one). */
const CHECK = z.strictObject({
  condition: nonEmptyStr().optional(),
  when: nonEmptyStr().optional(),
  message: nonEmptyStr(),
  style: oneOf(['ERROR', 'SUCCESS', 'WARNING', 'INFO']).optional(),
  behavior: oneOf(['BLOCK_EXECUTION', 'FAIL_EXECUTION', 'CREATE_EXECUTION']).optional(),
});

/**
 * Parses the flow's `checks` (Kestra's pre-execution assertions) into the one
 * model: `when` and `condition` both become `when`.
 *
 * @example
 * parseChecks([{ when: "{{ inputs.region == 'eu' }}", message: 'EU only' }], ['checks'], issues);
 * // [{ when: "{{ inputs.region == 'eu' }}", message: 'EU only', style: 'INFO', behavior: 'BLOCK_EXECUTION' }]
 */
export function parseChecks(raw: unknown, path: YamlPath, issues: IssueCollector): FlowCheck[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.add(path, 'expected a list of checks');
    return [];
  }
  const out: FlowCheck[] = [];
  for (const [i, item] of raw.entries()) {
    const r = CHECK.safeParse(item, { error: zodMessage });
    if (!r.success) {
      issues.addZod([...path, i], r.error.issues);
      continue;
    }
    const when = r.data.when ?? r.data.condition;
    if (when === undefined) {
      issues.add([...path, i, 'when'], 'is required');
      continue;
    }
    out.push({
      when,
      message: r.data.message,
      style: r.data.style ?? 'INFO',
      behavior: r.data.behavior ?? 'BLOCK_EXECUTION',
    });
  }
  return out;
}
