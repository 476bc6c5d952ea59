import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { KESTRA_CONFIGS_PATH, KESTRA_CONFIGURATION } from '@silo/contracts';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { type AdminDeps, adminRoutes } from './admin/admin-routes.js';
import { adminAuth, bearerTokenAuth } from './auth/admin-auth.js';
import { mountConsole } from './console/console-routes.js';
import { NotFoundError } from './errors.js';
import { makeOnError } from './http/on-error.js';
import { requestIdOf } from './http/request-id.js';
import type { TenantPipeline } from './http/tenant-pipeline.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
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
  /** SILO_METRICS_TOKEN: reads `/metrics` beside the admin token. */
  metricsToken?: string | undefined;
  pipeline: TenantPipeline;
  metrics: GatewayMetrics;
  logger: Logger;
};

/**
 * The gateway's HTTP app. Middleware order, visible in one place:
 * request id → health → metrics (admin or metrics token) → admin (admin
 * token) → tenant API (`TenantPipeline`: path → auth → tenant → instance →
 * proxy, the same steps as WebSocket upgrades) → 404.
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
  app.use(
    '/metrics',
    bearerTokenAuth(
      [deps.adminToken, ...(deps.metricsToken ? [deps.metricsToken] : [])],
      'metrics: missing or wrong token (Authorization: Bearer <admin token or SILO_METRICS_TOKEN>)',
    ),
  );
  app.get('/metrics', async (c) =>
    c.text(await deps.metrics.registry.metrics(), 200, { 'content-type': deps.metrics.registry.contentType }),
  );

  app.use('/admin/*', adminAuth(deps.adminToken));
  app.route('/admin/v1', adminRoutes(deps));
  mountConsole(app, deps);

  // Kestra's clients read the configuration first, without a tenant; it is static and holds no secret.
  app.get(KESTRA_CONFIGS_PATH, (c) => c.json(KESTRA_CONFIGURATION));
  app.all('/api/v1/*', async (c) => {
    await deps.pipeline.web(c.env.incoming, c.env.outgoing, c.get('requestId'));
    return RESPONSE_ALREADY_SENT;
  });

  return app;
}
