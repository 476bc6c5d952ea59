import type { RetryPolicy } from '../flow/flow-model.js';

export type RetryDecision = { retry: true; waitMs: number } | { retry: false; reason: string };

/**
 * The one retry decision (STYLE.md rule 9), as Kestra's `AbstractRetry`:
 * after `attemptsSoFar` failed attempts, retry unless `maxAttempts` is used
 * up or the next attempt would start after `maxDurationMs` since the first.
 * `random` supplies the jitter of the `random` type (injected: `decide` is pure).
 *
 * @example
 * decideRetry({ type: 'constant', intervalMs: 250, maxAttempts: 4, warningOnRetry: false, behavior: 'RETRY_FAILED_TASK' },
 *   { attemptsSoFar: 1, firstAttemptAt: 0, now: 10, random: () => 0.5 }); // { retry: true, waitMs: 250 }
 */
export function decideRetry(
  policy: RetryPolicy | undefined,
  args: { attemptsSoFar: number; firstAttemptAt: number; now: number; random: () => number },
): RetryDecision {
  if (!policy) return { retry: false, reason: 'no retry policy' };
  if (policy.maxAttempts !== undefined && args.attemptsSoFar >= policy.maxAttempts) {
    return { retry: false, reason: `maxAttempts ${policy.maxAttempts} reached` };
  }
  if (policy.maxAttempts === undefined && policy.maxDurationMs === undefined) {
    return { retry: false, reason: 'retry needs maxAttempts or maxDuration' };
  }
  const waitMs = retryWaitMs(policy, args.attemptsSoFar, args.random);
  if (policy.maxDurationMs !== undefined && args.now + waitMs - args.firstAttemptAt > policy.maxDurationMs) {
    return { retry: false, reason: `maxDuration ${policy.maxDurationMs} ms reached` };
  }
  return { retry: true, waitMs };
}

/** The wait before attempt `attemptsSoFar + 1`. */
export function retryWaitMs(policy: RetryPolicy, attemptsSoFar: number, random: () => number): number {
  switch (policy.type) {
    case 'constant':
      return policy.intervalMs ?? 0;
    case 'exponential': {
      const base = policy.intervalMs ?? 1000;
      const factor = policy.delayFactor ?? 2;
      const wait = base * factor ** Math.max(0, attemptsSoFar - 1);
      return Math.min(wait, policy.maxIntervalMs ?? Number.POSITIVE_INFINITY);
    }
    case 'random': {
      const min = policy.minIntervalMs ?? 0;
      const max = policy.maxIntervalMs ?? min;
      return Math.round(min + (max - min) * random());
    }
  }
}
