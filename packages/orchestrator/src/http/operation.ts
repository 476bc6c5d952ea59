import type { MiddlewareHandler } from 'hono';

/** The header that names the operation which answered (Kestra's operationId); kept only when the app is asked to expose it. */
export const OPERATION_HEADER = 'x-silo-operation';
/** The header that names the route pattern which answered (`/api/v1/:tenant/executions/:id/actions/kill`); exposed with `OPERATION_HEADER`. */
export const ROUTE_HEADER = 'x-silo-route';

/**
 * Marks a route with Kestra's operationId (`kestra-1.3.0.yml`). The route
 * table test reads it back to prove that no path is caught by a wider one;
 * `createHttpApp` drops it from answers unless `exposeOperationIds` is set.
 *
 * @example
 * api.get('/logs/search', op('searchLogs'), (c) => ...);
 */
export const op =
  (operationId: string): MiddlewareHandler =>
  async (c, next) => {
    c.header(OPERATION_HEADER, operationId);
    c.header(ROUTE_HEADER, c.req.routePath);
    await next();
  };
