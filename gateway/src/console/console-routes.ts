import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { type AdminDeps, adminRoutes } from '../admin/admin-routes.js';
import { NotFoundError } from '../errors.js';
import type { TenantPipeline } from '../http/tenant-pipeline.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { parseTenantPath } from '../proxy/tenant-path.js';
import { adminSession, CSRF_HEADER, requireCsrf, tenantSession } from './console-auth.js';
import { metricsSummary } from './metrics-summary.js';
import { sessionRoutes } from './session-routes.js';
import { SessionTokens } from './session-token.js';
import { staticRoutes } from './static-routes.js';

export type ConsoleDeps = AdminDeps & {
  adminToken: string;
  pipeline: TenantPipeline;
  metrics: GatewayMetrics;
  /** The built console. @default packages/console/dist of this repo */
  distDir?: string;
};

/**
 * Mounts the web console on the gateway's app (call it before the tenant API
 * route): `/ui/{tenant}/` and `/ui/admin/` (the built app), their sign-in and
 * session routes, the admin API again under `/ui/admin/api/v1` for the
 * operator's session, gateway metrics as JSON at `/ui/admin/api/metrics`, and
 * the session cookie accepted on `/api/v1/{tenant}/...` in place of the bearer
 * key — only on requests that carry the session's CSRF header, and only for
 * the tenant the session was opened for.
 *
 * @example
 * mountConsole(app, deps); app.all('/api/v1/*', ...);
 */
export function mountConsole(app: Hono<{ Bindings: HttpBindings }>, deps: ConsoleDeps): void {
  const tokens = new SessionTokens(deps.adminToken);

  app.use('/api/v1/*', async (c, next) => {
    const incoming = c.env?.incoming;
    // Bearer keys and webhooks go the usual way; a cookie alone (no CSRF header) opens nothing.
    if (incoming === undefined || incoming.headers.authorization !== undefined) return next();
    if (incoming.headers[CSRF_HEADER] === undefined) return next();
    const path = parseTenantPath(incoming.url ?? '');
    if (path === undefined || path.isWebhook) return next();
    const session = await tenantSession(c, tokens, deps.registry, path.segment);
    requireCsrf(c, tokens, session);
    // The instance never sees the console's cookies (the proxy already drops x-silo-* headers).
    delete incoming.headers.cookie;
    await deps.pipeline.forward(session.tenantId, incoming, c.env.outgoing, c.get('requestId'));
    return RESPONSE_ALREADY_SENT;
  });

  const adminApi = new Hono();
  adminApi.use('*', async (c, next) => {
    requireCsrf(c, tokens, adminSession(c, tokens));
    await next();
  });
  adminApi.get('/metrics', async (c) =>
    c.json(metricsSummary(await deps.metrics.registry.getMetricsAsJSON())),
  );
  adminApi.route('/v1', adminRoutes(deps));
  // An unknown admin API path is a 404, not the console's index.html (served for every other /ui/ path).
  adminApi.all('*', () => {
    throw new NotFoundError('route', 'at this path');
  });
  app.route('/ui/admin/api', adminApi);
  app.route('/ui', sessionRoutes(deps.registry, tokens, deps.adminToken));
  app.route('/ui', staticRoutes(deps.distDir));
}
