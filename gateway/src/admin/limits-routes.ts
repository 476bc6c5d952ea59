import { Hono } from 'hono';
import { z } from 'zod';
import { NotFoundError } from '../errors.js';
import { parseJsonBody } from '../http/json-body.js';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import type { TenantLimits } from '../runtime/runtime-driver.js';
import type { Registry } from '../tenants/registry.js';
import type { Tenant } from '../tenants/tenant-store.js';

/** A tenant's `limits` (create body and `PUT .../limits`): each field checked, an unknown one refused by name. */
export const LimitsSchema = z
  .object({
    memoryMb: z.number().int().min(16).optional(),
    cpus: z.number().positive().max(256).optional(),
    pids: z.number().int().min(8).optional(),
    storageMb: z.number().int().min(1).max(16_777_216).optional(),
    maxConcurrentExecutions: z.number().int().min(1).max(100_000).optional(),
    requestsPerSecond: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

/** Limits the instance reads at its start (container resources, environment): a change waits for the next start. */
const AT_NEXT_START = ['memoryMb', 'cpus', 'pids', 'storageMb', 'maxConcurrentExecutions'] as const;

export type Usage = {
  /** Top-level executions holding a slot of `maxConcurrentExecutions`, as last reported (null: no report). */
  runningExecutions: number | null;
  queuedExecutions: number | null;
  /** Tenant API requests admitted by the gateway in the last full second. */
  requestsPerSecond: number;
  /** MB on disk, as last reported (null: no report). */
  storageMb: number | null;
};

export type LimitsDeps = {
  registry: Pick<Registry, 'tenants'>;
  manager: InstanceManager;
  /** Requests per second the gateway admitted for the tenant (the pipeline's buckets). */
  requestsPerSecond?: (tenantId: string) => number;
};

/** The current usage of each quota, for the admin view (`usage` beside `limits`). */
export function usageOf(deps: LimitsDeps, tenantId: string): Usage {
  const report = deps.manager.lastReport(tenantId);
  return {
    runningExecutions: report?.runningExecutions ?? null,
    queuedExecutions: report?.queuedExecutions ?? null,
    requestsPerSecond: deps.requestsPerSecond?.(tenantId) ?? 0,
    storageMb: deps.manager.storage(tenantId).usedMb,
  };
}

/**
 * `PUT /tenants/{id}/limits`: replaces the tenant's limits (a field left out
 * is unset; `silo tenant limits` merges its flags into the current ones).
 * `requestsPerSecond` applies to the next request; the others are read by
 * the instance at its start, so while it runs the answer lists them in
 * `appliesAtNextStart` (stop and start the tenant to apply them now).
 *
 * @example
 * app.route('/', limitsRoutes({ registry, manager, view }));
 */
export function limitsRoutes(deps: LimitsDeps & { view: (tenant: Tenant) => Promise<object> }): Hono {
  const app = new Hono();
  app.put('/tenants/:id/limits', async (c) => {
    const id = c.req.param('id');
    const before = await deps.registry.tenants.get(id);
    if (before === undefined) throw new NotFoundError('tenant', id);
    const limits: TenantLimits = await parseJsonBody(c.req.raw, LimitsSchema);
    const tenant = await deps.registry.tenants.setLimits(id, limits);
    const running = (await deps.manager.view(id)).state !== 'stopped';
    const appliesAtNextStart = running ? AT_NEXT_START.filter((k) => before.limits[k] !== limits[k]) : [];
    return c.json({ ...(await deps.view(tenant)), appliesAtNextStart });
  });
  return app;
}
