import type { Endpoint } from '../runtime/runtime-driver.js';
import { LIFECYCLE_DEFAULTS } from './lifecycle-defaults.js';
import type { LifecycleSettings } from './lifecycle-options.js';

export type ReadinessSettings = Pick<
  LifecycleSettings,
  'driver' | 'probe' | 'now' | 'readyPollMs' | 'readyAttemptMs' | 'startTimeoutMs'
>;

/**
 * Polls the instance's readiness every `readyPollMs` until `deadline` (epoch
 * ms on the lifecycle clock), each attempt bounded by `readyAttemptMs`; every
 * `readyPollsPerInspect` polls, checks that the instance still runs and
 * throws with the tail of its log when it exited.
 *
 * @example
 * await waitReady(settings, 'acme', endpoint, token, settings.now() + settings.startTimeoutMs);
 */
export async function waitReady(
  s: ReadinessSettings,
  tenantId: string,
  endpoint: Endpoint,
  token: string,
  deadline: number,
): Promise<void> {
  let polls = 0;
  while (s.now() < deadline) {
    const bound = Math.max(1, Math.min(s.readyAttemptMs, deadline - s.now()));
    if (await withTimeout(s.probe.ready(endpoint, token), bound, false)) return;
    if (++polls % LIFECYCLE_DEFAULTS.readyPollsPerInspect === 0) {
      const status = await s.driver.inspect(tenantId);
      if (status.state !== 'running') {
        const tail = await s.driver.logs(tenantId, { tail: 3 }).catch(() => '');
        throw new Error(
          `instance exited before it was ready (exit code ${status.exitCode ?? 'unknown'})${tail ? `: ${tail.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`,
        );
      }
    }
    await new Promise((r) => setTimeout(r, s.readyPollMs));
  }
  throw new Error(`not ready within ${s.startTimeoutMs} ms (SILO_START_TIMEOUT)`);
}

/** `promise`, or `fallback` when it has not settled within `ms` (a rejection counts as `fallback`). */
export function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.catch(() => fallback),
    new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(fallback), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
