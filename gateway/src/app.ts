import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import { type AdminDeps, adminRoutes } from './admin/admin-routes.js';
import { adminAuth } from './auth/admin-auth.js';
import { authorizeTenantRequest } from './auth/tenant-auth.js';
import { NotFoundError } from './errors.js';
import { makeOnError } from './http/on-error.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import { parseTenantPath } from './proxy/tenant-path.js';
import type { TenantProxy } from './proxy/tenant-proxy.js';
import type { RegistryHealth } from './tenants/open-registry.js';

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
  }
}

export type AppDeps = AdminDeps & {
  /** The registry's backend and, for PostgreSQL, whether it answers (`/healthz` detail). */
  registryHealth?: () => RegistryHealth;
  adminToken: string;
  proxy: TenantProxy;
  metrics: GatewayMetrics;
  logger: Logger;
};

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * A request id: the client's `X-Request-Id` when it is short and plain, else a new one.
 *
 * @example
 * requestIdOf(req.headers['x-request-id']); // 'V1StGXR8_Z5jdHi6B-myT'
 */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : nanoid();
}

/**
 * The gateway's HTTP app. Middleware order, visible in one place:
 * request id → health/metrics → admin (admin token) → tenant API (path check
 * → key → lifecycle → proxy) → 404.
 *
 * @example
 * serve({ fetch: createApp(deps).fetch, port: 8080 });
 */
export function createApp(deps: AppDeps): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.onError(makeOnError(deps.logger));
  app.notFound(() => {
    throw new NotFoundError('route', 'at this path');
  });

  app.use('*', async (c, next) => {
    // Node's own headers when there are some: `c.req.header()` would first build a fetch
    // `Headers` object from them, on every request, for this one value.
    const id = requestIdOf(
      c.env?.incoming ? c.env.incoming.headers['x-request-id'] : c.req.header('x-request-id'),
    );
    c.set('requestId', id);
    await next();
    if (c.res !== RESPONSE_ALREADY_SENT && !c.res.headers.has('x-request-id'))
      c.res.headers.set('x-request-id', id);
  });

  // UP while the registry is away too: running tenants are served from the caches (issue 17).
  app.get('/healthz', (c) =>
    c.json({ status: 'UP', ...(deps.registryHealth ? { registry: deps.registryHealth() } : {}) }),
  );
  app.get('/metrics', async (c) =>
    c.text(await deps.metrics.registry.metrics(), 200, { 'content-type': deps.metrics.registry.contentType }),
  );

  app.use('/admin/*', adminAuth(deps.adminToken));
  app.route('/admin/v1', adminRoutes(deps));

  app.all('/api/v1/*', async (c) => {
    const incoming = c.env.incoming;
    const path = parseTenantPath(incoming.url ?? '');
    if (path === undefined) throw new NotFoundError('route', 'at this path');
    const access = await authorizeTenantRequest(deps.registry, path, incoming.headers.authorization);
    await deps.proxy.web(incoming, c.env.outgoing, access.tenantId, c.get('requestId'));
    return RESPONSE_ALREADY_SENT;
  });

  return app;
}
