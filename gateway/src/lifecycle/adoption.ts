import type { Breaker } from './breaker.js';
import type { LifecycleContext } from './lifecycle-options.js';
import { waitReady } from './readiness.js';
import type { Reports } from './reports.js';

/**
 * Adopts instances that survived a gateway restart (or a runtime reconnect):
 * same process, same token; never a twin, never a busy one stopped. An
 * instance of an unknown tenant is left alone. Resolves to the adopted
 * tenants once each is ready or failed.
 *
 * @example
 * const adopted = await adopt(context, { breaker, reports });
 */
export async function adopt(
  c: LifecycleContext,
  parts: { breaker: Breaker; reports: Reports },
): Promise<string[]> {
  const adopted: string[] = [];
  for (const status of await c.driver.list()) {
    if (status.state !== 'running' || !status.endpoint || !status.instanceToken) continue;
    if ((await c.registry.tenants.get(status.tenantId)) === undefined) {
      c.logger.warn(
        { tenantId: status.tenantId, ref: status.ref },
        'running instance of an unknown tenant left alone',
      );
      continue;
    }
    // In a fleet, an instance of another gateway (shared engine or data dir) is its owner's to adopt.
    if (
      c.fleet !== undefined &&
      !(await c.fleet.turn(status.tenantId, c.now()).then(
        (t) => t.mine,
        () => false,
      ))
    )
      continue;
    const slot = c.slots.ensure(status.tenantId);
    if (slot.state !== 'stopped') continue;
    c.slots.move(slot, 'starting');
    const endpoint = status.endpoint;
    const token = status.instanceToken;
    // A gateway that ended while this instance was paused left it frozen: thaw it (a no-op when it is not).
    await c.driver.resume?.(status.tenantId, status.ref).catch(() => undefined);
    const start = waitReady(c, status.tenantId, endpoint, token, c.now() + c.startTimeoutMs)
      .then(() => {
        Object.assign(slot, { endpoint, token, ref: status.ref, lastActivity: c.now() });
        void c.fleet?.publish(status.tenantId, { endpoint, instanceToken: token, ref: status.ref ?? null });
        slot.startedAt = status.startedAt ? Date.parse(status.startedAt) : c.now();
        slot.start = undefined;
        c.slots.move(slot, 'running');
        c.metrics.adoptions.inc();
        c.logger.info({ tenantId: slot.tenantId, ref: status.ref }, 'instance:adopted');
        void parts.reports.refresh(slot.tenantId);
      })
      .catch(async (err: unknown) => {
        slot.start = undefined;
        await parts.breaker.fail(slot, `adoption failed: ${(err as Error).message}`);
        throw err;
      });
    start.catch(() => undefined);
    slot.start = start;
    adopted.push(status.tenantId);
  }
  await Promise.all(adopted.map((id) => c.slots.get(id)?.start?.catch(() => undefined)));
  return adopted;
}
