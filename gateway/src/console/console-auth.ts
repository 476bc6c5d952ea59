import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { ForbiddenError, TenantSuspendedError, UnauthorizedError } from '../errors.js';
import type { Registry } from '../tenants/registry.js';

/** The registry ports the console reads. */
export type ConsoleRegistry = Pick<Registry, 'tenants' | 'keys' | 'secrets'>;

import type { Session, SessionTokens } from './session-token.js';

/** The header that carries a session's CSRF token on every cookie-authenticated call. */
export const CSRF_HEADER = 'x-silo-csrf';
export const ADMIN_COOKIE = 'silo_console_admin';

/** The session cookie of one tenant: one name per tenant, so sessions of several tenants coexist. */
export function tenantCookie(tenantId: string): string {
  return `silo_console_${tenantId.replace(/-/g, '_')}`;
}

/**
 * The live session of `tenantId` carried by the request's cookie, or throws
 * 401. Live means: signed by this gateway, not expired, for this very tenant,
 * its key not revoked, the tenant still there and not suspended.
 *
 * @example
 * const session = await tenantSession(c, tokens, registry, 'acme');
 */
export async function tenantSession(
  c: Context,
  tokens: SessionTokens,
  registry: ConsoleRegistry,
  tenantId: string,
): Promise<Session & { kind: 'tenant' }> {
  const value = getCookie(c, tenantCookie(tenantId));
  const session = value === undefined ? undefined : tokens.verify(value, Date.now());
  if (session?.kind !== 'tenant')
    throw new UnauthorizedError('console: not signed in (or the session expired)');
  if (session.tenantId !== tenantId)
    throw new ForbiddenError(`this session does not grant access to tenant ${tenantId}`);
  const key = (await registry.keys.list(tenantId)).find((k) => k.id === session.keyId);
  if (key === undefined || key.revokedAt !== null)
    throw new UnauthorizedError('console: the API key of this session was revoked; sign in again');
  const tenant = await registry.tenants.get(tenantId);
  if (tenant === undefined) throw new UnauthorizedError('console: the tenant of this session is gone');
  if (tenant.state === 'suspended') throw new TenantSuspendedError(tenant.id, tenant.suspendedReason);
  return session;
}

/** The operator's session carried by the request's cookie, or throws 401. */
export function adminSession(c: Context, tokens: SessionTokens): Session {
  const value = getCookie(c, ADMIN_COOKIE);
  const session = value === undefined ? undefined : tokens.verify(value, Date.now());
  if (session?.kind !== 'admin') throw new UnauthorizedError('console: not signed in as operator');
  return session;
}

/** Throws 403 unless the request carries the session's CSRF token in `X-Silo-Csrf`. */
export function requireCsrf(c: Context, tokens: SessionTokens, session: Session): void {
  if (!tokens.csrfMatches(session, c.req.header(CSRF_HEADER)))
    throw new ForbiddenError(`console: missing or wrong ${CSRF_HEADER} header (CSRF protection)`);
}

/** `Secure` cookies when the request came over HTTPS (directly or through a TLS-terminating proxy). */
export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}
