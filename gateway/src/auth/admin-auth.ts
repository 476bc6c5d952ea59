import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { UnauthorizedError } from '../errors.js';

/**
 * Requires `Authorization: Bearer <token>` with one of `tokens` (constant-time
 * comparison against each, so the answer does not tell which came closer);
 * otherwise 401 with `message`.
 *
 * @example
 * app.use('/metrics', bearerTokenAuth([adminToken, metricsToken], 'metrics: missing or wrong token'));
 */
export function bearerTokenAuth(tokens: readonly string[], message: string): MiddlewareHandler {
  const expected = tokens.map((t) => Buffer.from(t));
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const given = Buffer.from(match?.[1] ?? '');
    let ok = false;
    for (const e of expected) if (given.length === e.length && timingSafeEqual(given, e)) ok = true;
    if (!ok) throw new UnauthorizedError(message);
    await next();
  };
}

/**
 * Requires `Authorization: Bearer <admin token>`.
 *
 * @example
 * app.use('/admin/*', adminAuth(config.adminToken));
 */
export function adminAuth(adminToken: string): MiddlewareHandler {
  return bearerTokenAuth(
    [adminToken],
    'admin API: missing or wrong admin token (Authorization: Bearer <admin token>)',
  );
}
