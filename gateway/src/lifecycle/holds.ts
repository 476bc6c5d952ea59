import { InstanceUnavailableError } from '../errors.js';
import type { LifecycleContext } from './lifecycle-options.js';
import type { Slot } from './slot-table.js';

/**
 * Holds a request while its tenant's instance starts (SILO_HOLD_MAX,
 * SILO_START_TIMEOUT): resolves when the start is done, throws
 * `InstanceUnavailableError` (503 with `Retry-After`) when the queue is full,
 * the start failed, or it took longer than the start timeout. Moved out of
 * `starter.ts` unchanged.
 */
export async function hold(c: LifecycleContext, slot: Slot, keyless: boolean): Promise<void> {
  const start = slot.start;
  // A failed start between clearing `start` and the breaker's `failing`: let that finish, do not spin on microtasks.
  if (start === undefined) return nextTurn();
  const max = keyless ? keylessHoldMax(c.holdMax) : c.holdMax;
  if ((keyless ? slot.heldKeyless : slot.held) >= max) {
    c.metrics.heldRejected.inc({ reason: 'hold_full' });
    throw new InstanceUnavailableError(
      slot.tenantId,
      keyless
        ? `the instance of tenant ${slot.tenantId} is starting and ${max} webhook requests already wait (SILO_HOLD_MAX / 10)`
        : `the instance of tenant ${slot.tenantId} is starting and ${max} requests already wait (SILO_HOLD_MAX)`,
      retryAfter(c, slot),
    );
  }
  if (keyless) slot.heldKeyless++;
  else slot.held++;
  c.metrics.heldRequests.inc();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), c.startTimeoutMs);
    });
    const outcome = await Promise.race([start.then(() => 'ready' as const), timeout]);
    if (outcome === 'timeout') {
      c.metrics.heldRejected.inc({ reason: 'timeout' });
      throw new InstanceUnavailableError(
        slot.tenantId,
        `the instance of tenant ${slot.tenantId} did not become ready within ${c.startTimeoutMs} ms (SILO_START_TIMEOUT)`,
        retryAfter(c, slot),
      );
    }
  } catch (err) {
    if (err instanceof InstanceUnavailableError) throw err;
    throw new InstanceUnavailableError(
      slot.tenantId,
      `the instance of tenant ${slot.tenantId} failed to start: ${(err as Error).message}`,
      Math.max(1, Math.ceil((slot.backoffUntil - c.now()) / 1000)),
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
    if (keyless) slot.heldKeyless--;
    else slot.held--;
    c.metrics.heldRequests.dec();
  }
}

/** `Retry-After` from the tenant's measured start time (at least 1 s). */
function retryAfter(c: LifecycleContext, slot: Slot): number {
  const ms = slot.lastStartMs ?? c.startTimeoutMs;
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The hold queue of keyless (webhook) requests during a cold start: its own,
 * a tenth of SILO_HOLD_MAX (at least 1), so that webhook traffic can neither
 * fill the queue of the tenant's keyed requests nor take all of its memory.
 */
export function keylessHoldMax(holdMax: number): number {
  return Math.max(1, Math.floor(holdMax / 10));
}

/** Resolves on the event loop's next turn (after pending I/O callbacks), unlike an awaited resolved promise. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
