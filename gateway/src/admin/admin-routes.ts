import { KestraVersionSchema, TenantIdSchema } from '@silo/contracts';
import { Hono } from 'hono';
import { z } from 'zod';
import {
  BadRequestError,
  ConflictError,
  GatewayError,
  InstanceUnavailableError,
  NotFoundError,
} from '../errors.js';
import { parseJsonBody } from '../http/json-body.js';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import type { RuntimeDriver } from '../runtime/runtime-driver.js';
import type { Registry } from '../tenants/registry.js';
import type { Tenant } from '../tenants/tenant-store.js';
import { LimitsSchema, limitsRoutes, usageOf } from './limits-routes.js';

export type AdminDeps = {
  registry: Pick<Registry, 'tenants' | 'keys' | 'secrets'>;
  manager: InstanceManager;
  driver: RuntimeDriver;
  /** Why this runtime was chosen (`SILO_RUNTIME=auto`), for `silo status`. */
  runtimeReason: string;
  startedAt: Date;
  /** Requests per second the pipeline admitted for a tenant (the `usage` of `requestsPerSecond`). */
  requestsPerSecond?: (tenantId: string) => number;
  /** The orchestrator version a new tenant is pinned to (the newest installed); unset: none. */
  versionForNewTenants?: () => Promise<string>;
};

const CreateTenantSchema = z
  .object({
    id: TenantIdSchema,
    name: z.string().min(1).max(200).optional(),
    limits: LimitsSchema.optional(),
    /** Default "2.0" (`DEFAULT_KESTRA_VERSION_FOR_NEW_TENANTS`, applied by the store). */
    kestraVersion: KestraVersionSchema.optional(),
  })
  .strict();
const CreateKeySchema = z.object({ name: z.string().min(1).max(100).optional() }).strict();
const SuspendSchema = z.object({ reason: z.string().max(500).optional() }).strict();
const SecretSchema = z.object({ value: z.string().max(64 * 1024) }).strict();
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Parses a JSON body with a zod schema; a bad body is a 400 naming each field. */
const body = <T>(req: Request, schema: z.ZodType<T>, optional = false): Promise<T> =>
  parseJsonBody(req, schema, { optional });

/**
 * The admin API (DESIGN.md table), mounted at `/admin/v1` behind the admin
 * token. Plus two read-only additions the CLI needs: `GET /status` and
 * `GET /tenants/{id}/logs?tail=N`.
 *
 * @example
 * app.route('/admin/v1', adminRoutes({ registry, manager, driver, runtimeReason, startedAt }));
 */
export function adminRoutes(deps: AdminDeps): Hono {
  const { registry, manager, driver } = deps;
  const app = new Hono();
  const tenantOr404 = async (id: string): Promise<Tenant> => {
    const tenant = await registry.tenants.get(id);
    if (tenant === undefined) throw new NotFoundError('tenant', id);
    return tenant;
  };
  const view = async (tenant: Tenant) => ({
    ...tenant,
    instance: await manager.view(tenant.id),
    storage: manager.storage(tenant.id, tenant.limits),
    usage: usageOf(deps, tenant.id),
  });

  app.get('/status', async (c) => {
    const tenants = await registry.tenants.list();
    const states: Record<string, number> = {};
    for (const t of tenants) {
      const s = (await manager.view(t.id)).state;
      states[s] = (states[s] ?? 0) + 1;
    }
    return c.json({
      status: 'UP',
      runtime: driver.name,
      runtimeReason: deps.runtimeReason,
      startedAt: deps.startedAt.toISOString(),
      tenants: tenants.length,
      instances: states,
      starts: manager.starts(),
    });
  });

  app.post('/tenants', async (c) => {
    const input = await body(c.req.raw, CreateTenantSchema);
    const version = await deps.versionForNewTenants?.();
    const tenant = await registry.tenants.create({ ...input, ...(version !== undefined ? { version } : {}) });
    return c.json(await view(tenant), 201);
  });

  app.get('/tenants', async (c) => {
    const results = await Promise.all((await registry.tenants.list()).map(view));
    return c.json({ results, total: results.length });
  });

  app.get('/tenants/:id', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    await manager.refreshReport(tenant.id); // current usage when it runs (nothing when stopped)
    return c.json(await view(tenant));
  });
  app.route('/', limitsRoutes({ ...deps, view }));

  app.delete('/tenants/:id', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    const purge = c.req.query('purge') === 'true';
    await manager.stop(tenant.id, 'deleted');
    await driver.remove(tenant.id, { purge });
    await registry.tenants.delete(tenant.id);
    manager.forget(tenant.id);
    return c.body(null, 204);
  });

  app.post('/tenants/:id/suspend', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    const { reason } = await body(c.req.raw, SuspendSchema, true);
    const suspended = await registry.tenants.setState(
      tenant.id,
      'suspended',
      reason ?? 'suspended by an admin',
    );
    await manager.stop(tenant.id, 'suspended');
    return c.json(await view(suspended));
  });

  app.post('/tenants/:id/resume', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    const resumed = await registry.tenants.setState(tenant.id, 'active');
    manager.onWakeChanged(); // a wake timer that came due while suspended fires now
    return c.json(await view(resumed));
  });

  app.post('/tenants/:id/start', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    if (tenant.state === 'suspended')
      throw new ConflictError(`tenant ${tenant.id} is suspended: resume it first`);
    try {
      await manager.start(tenant.id, 'admin');
    } catch (err) {
      // The runtime's refusal (engine down, no address pool, a crashing image) is a 503 with its reason, not a 500.
      if (err instanceof GatewayError) throw err;
      throw new InstanceUnavailableError(
        tenant.id,
        `the instance of tenant ${tenant.id} failed to start: ${(err as Error).message}`,
        5,
        { cause: err },
      );
    }
    return c.json(await view(tenant));
  });

  app.post('/tenants/:id/stop', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    await manager.stop(tenant.id, 'admin');
    return c.json(await view(tenant));
  });

  app.get('/tenants/:id/logs', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    const tail = Math.min(10_000, Math.max(1, Number(c.req.query('tail') ?? 200) || 200));
    return c.text(await driver.logs(tenant.id, { tail }));
  });

  app.post('/tenants/:id/keys', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    const { name } = await body(c.req.raw, CreateKeySchema, true);
    const { key, record } = await registry.keys.create(tenant.id, name);
    return c.json(
      { id: record.id, name: record.name, key, prefix: record.prefix, createdAt: record.createdAt },
      201,
    );
  });

  app.get('/tenants/:id/keys', async (c) => {
    const results = await registry.keys.list((await tenantOr404(c.req.param('id'))).id);
    return c.json({ results, total: results.length });
  });

  app.delete('/tenants/:id/keys/:keyId', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    if (!(await registry.keys.revoke(tenant.id, c.req.param('keyId'))))
      throw new NotFoundError('key', c.req.param('keyId'));
    return c.body(null, 204);
  });

  app.get('/tenants/:id/secrets', async (c) => {
    const results = await registry.secrets.list((await tenantOr404(c.req.param('id'))).id);
    return c.json({ results, total: results.length });
  });

  app.put('/tenants/:id/secrets/:name', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    const name = c.req.param('name');
    if (!SECRET_NAME.test(name)) {
      throw new BadRequestError(`secret name "${name}" must match ${SECRET_NAME.source}`);
    }
    const { value } = await body(c.req.raw, SecretSchema);
    await registry.secrets.set(tenant.id, name, value);
    return c.body(null, 204);
  });

  app.delete('/tenants/:id/secrets/:name', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    if (!(await registry.secrets.delete(tenant.id, c.req.param('name')))) {
      throw new NotFoundError('secret', c.req.param('name'));
    }
    return c.body(null, 204);
  });

  return app;
}
