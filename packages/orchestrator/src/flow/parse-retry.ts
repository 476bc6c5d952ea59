import { z } from 'zod';
import type { RetryPolicy } from './flow-model.js';
import { parseIsoDuration } from './iso-duration.js';
import type { IssueCollector } from './issue-collector.js';
import { bool, duration, int, num, oneOf, zodMessage } from './schema-kit.js';
import type { YamlPath } from './yaml-path.js';

const RETRY = z.strictObject({
  type: oneOf(['constant', 'exponential', 'random']),
  maxAttempt: int(1).optional(),
  maxAttempts: int(1).optional(),
  maxDuration: duration().optional(),
  interval: duration().optional(),
  maxInterval: duration().optional(),
  minInterval: duration().optional(),
  delayFactor: num().optional(),
  warningOnRetry: bool().optional(),
  behavior: oneOf(['RETRY_FAILED_TASK', 'CREATE_NEW_EXECUTION']).optional(),
});

/** What each retry type needs (Kestra's `Constant`, `Exponential`, `Random` `@NotNull`s). */
const NEEDS: Record<RetryPolicy['type'], ReadonlyArray<'interval' | 'maxInterval' | 'minInterval'>> = {
  constant: ['interval'],
  exponential: ['interval', 'maxInterval'],
  random: ['minInterval', 'maxInterval'],
};

const ms = (d: string | undefined) => (d === undefined ? undefined : parseIsoDuration(d));

/**
 * Validates a task's or a flow's `retry` and normalises it (`maxAttempt` and
 * 2.0's `maxAttempts` → `maxAttempts`, durations → ms). Returns `undefined`
 * when it is invalid (the issues are recorded).
 *
 * @example
 * parseRetry({ type: 'constant', maxAttempt: 3, interval: 'PT1S' }, ['retry'], issues);
 * // { type: 'constant', maxAttempts: 3, intervalMs: 1000, warningOnRetry: false, behavior: 'RETRY_FAILED_TASK' }
 */
export function parseRetry(raw: unknown, path: YamlPath, issues: IssueCollector): RetryPolicy | undefined {
  const r = RETRY.safeParse(raw, { error: zodMessage });
  if (!r.success) {
    issues.addZod(path, r.error.issues);
    return undefined;
  }
  const v = r.data;
  let ok = true;
  for (const key of NEEDS[v.type]) {
    if (v[key] === undefined) {
      issues.add([...path, key], `is required for a ${v.type} retry`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const policy: RetryPolicy = {
    type: v.type,
    warningOnRetry: v.warningOnRetry ?? false,
    behavior: v.behavior ?? 'RETRY_FAILED_TASK',
  };
  const maxAttempts = v.maxAttempts ?? v.maxAttempt;
  if (maxAttempts !== undefined) policy.maxAttempts = maxAttempts;
  const fields = {
    maxDurationMs: ms(v.maxDuration),
    intervalMs: ms(v.interval),
    maxIntervalMs: ms(v.maxInterval),
    minIntervalMs: ms(v.minInterval),
    delayFactor: v.delayFactor,
  };
  for (const [k, value] of Object.entries(fields)) {
    if (value !== undefined) (policy as Record<string, unknown>)[k] = value;
  }
  return policy;
}
