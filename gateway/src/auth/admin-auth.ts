import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { UnauthorizedError } from '../errors.js';

/**
 * Requires `Authorization: Bearer <admin token>` (constant-time comparison).
 *
 * @example
 * app.use('/admin/*', adminAuth(config.adminToken));
 */
export function adminAuth(adminToken: string): MiddlewareHandler {
  const expected = Buffer.from(adminToken);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const given = Buffer.from(match?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UnauthorizedError(
        'admin API: missing or wrong admin token (Authorization: Bearer <admin token>)',
      );
    }
    await next();
  };
}
