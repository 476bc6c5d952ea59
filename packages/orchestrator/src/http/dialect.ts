import { type KestraVersion, LEGACY_KESTRA_VERSION } from '@silo/contracts';
import type { Context, MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /** The Kestra dialect of this instance (`config.kestraVersion`), set by `createHttpApp`. */
    kestraVersion: KestraVersion;
    /** The tenant this instance serves (`config.tenantId`): the `tenantId` of 2.0 bodies. */
    siloTenantId: string;
  }
}

/**
 * Puts the instance's dialect and tenant id on every request, so that routes
 * and the error mapper pick their shapes without another parameter.
 *
 * @example
 * app.use('*', dialectContext('2.0', 'acme'));
 */
export const dialectContext =
  (version: KestraVersion, tenantId: string): MiddlewareHandler =>
  async (c, next) => {
    c.set('kestraVersion', version);
    c.set('siloTenantId', tenantId);
    await next();
  };

/**
 * The dialect of the instance that answers `c`; an app built without
 * `createHttpApp` (a route's unit test) speaks 1.3, as instances that predate dialects.
 *
 * @example
 * if (dialectOf(c) === '2.0') return c.json(apiExecutionJson(e, tenantOf(c), now));
 */
export function dialectOf(c: Context): KestraVersion {
  return c.get('kestraVersion') ?? LEGACY_KESTRA_VERSION;
}

/** The instance's tenant id (`main` in an app built without `createHttpApp`). */
export function tenantOf(c: Context): string {
  return c.get('siloTenantId') ?? 'main';
}
