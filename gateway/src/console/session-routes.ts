import { timingSafeEqual } from 'node:crypto';
import { TenantIdSchema } from '@silo/contracts';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { BadRequestError, ForbiddenError, TenantSuspendedError, UnauthorizedError } from '../errors.js';
import { parseJsonBody } from '../http/json-body.js';
import {
  ADMIN_COOKIE,
  adminSession,
  type ConsoleRegistry,
  isHttps,
  requireCsrf,
  tenantCookie,
  tenantSession,
} from './console-auth.js';
import { SESSION_TTL_MS, type SessionSubject, type SessionTokens } from './session-token.js';

const SignInSchema = z.object({ key: z.string().min(1).max(500) }).strict();
const AdminSignInSchema = z.object({ token: z.string().min(1).max(500) }).strict();

/** Reads a JSON body (the content type is required: a cross-site form cannot send it without a preflight). */
const jsonBody = <T>(c: Context, schema: z.ZodType<T>): Promise<T> =>
  parseJsonBody(c.req.raw, schema, {
    requireJsonContentType: 'content-type: send the sign-in as application/json',
  });

/**
 * Sign-in, session and sign-out of the console, mounted at `/ui`:
 * `POST /{tenant}/session {key}` exchanges a tenant API key for an httpOnly,
 * SameSite=Strict session cookie (Secure over HTTPS) scoped to that tenant;
 * `POST /admin/session {token}` does the same with the admin token;
 * `GET .../session` tells the page whether it is signed in (`signedIn`) and its
 * CSRF token;
 * `DELETE .../session` (CSRF header required) signs out; `GET /{tenant}/secrets`
 * lists the tenant's secret names for its console.
 *
 * @example
 * app.route('/ui', sessionRoutes(registry, tokens));
 */
export function sessionRoutes(registry: ConsoleRegistry, tokens: SessionTokens, adminToken: string): Hono {
  const app = new Hono();
  const issue = (c: Context, name: string, subject: SessionSubject) => {
    const value = tokens.sign(subject, Date.now());
    setCookie(c, name, value, {
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure: isHttps(c),
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    });
    const session = tokens.verify(value, Date.now());
    return { csrf: session?.csrf, expiresAt: new Date(session?.expiresAt ?? 0).toISOString() };
  };
  const expected = Buffer.from(adminToken);

  app.post('/admin/session', async (c) => {
    const { token } = await jsonBody(c, AdminSignInSchema);
    const given = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new UnauthorizedError('wrong admin token');
    return c.json({ subject: 'admin', ...issue(c, ADMIN_COOKIE, { kind: 'admin' }) });
  });
  app.get('/admin/session', (c) => {
    if (getCookie(c, ADMIN_COOKIE) === undefined) return c.json({ signedIn: false });
    const s = adminSession(c, tokens);
    return c.json({
      signedIn: true,
      subject: 'admin',
      csrf: s.csrf,
      expiresAt: new Date(s.expiresAt).toISOString(),
    });
  });
  app.delete('/admin/session', (c) => {
    requireCsrf(c, tokens, adminSession(c, tokens));
    deleteCookie(c, ADMIN_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  const tenantParam = (c: Context): string => {
    const parsed = TenantIdSchema.safeParse(c.req.param('tenant'));
    if (!parsed.success) throw new BadRequestError(`tenant: not a tenant id (${c.req.param('tenant')})`);
    return parsed.data;
  };
  app.post('/:tenant/session', async (c) => {
    const tenantId = tenantParam(c);
    const { key } = await jsonBody(c, SignInSchema);
    // As on the API: the key is checked before the tenant, so sign-ins cannot probe tenant names.
    const verified = await registry.keys.verify(key);
    if (verified === undefined) throw new UnauthorizedError('invalid or revoked API key');
    if (verified.tenantId !== tenantId)
      throw new ForbiddenError(`this API key does not grant access to tenant ${tenantId}`);
    const tenant = await registry.tenants.get(tenantId);
    if (tenant === undefined) throw new UnauthorizedError('invalid or revoked API key');
    if (tenant.state === 'suspended') throw new TenantSuspendedError(tenant.id, tenant.suspendedReason);
    const subject = { kind: 'tenant', tenantId, keyId: verified.keyId } as const;
    return c.json({ subject: 'tenant', tenantId, ...issue(c, tenantCookie(tenantId), subject) });
  });
  app.get('/:tenant/session', async (c) => {
    const tenantId = tenantParam(c);
    // Not signed in is the page's ordinary first state, not an error; a bad or revoked cookie is.
    if (getCookie(c, tenantCookie(tenantId)) === undefined) return c.json({ signedIn: false });
    const s = await tenantSession(c, tokens, registry, tenantId);
    return c.json({
      signedIn: true,
      subject: 'tenant',
      tenantId,
      csrf: s.csrf,
      expiresAt: new Date(s.expiresAt).toISOString(),
    });
  });
  app.delete('/:tenant/session', async (c) => {
    const tenantId = tenantParam(c);
    requireCsrf(c, tokens, await tenantSession(c, tokens, registry, tenantId));
    deleteCookie(c, tenantCookie(tenantId), { path: '/' });
    return c.body(null, 204);
  });
  // Secret names (never values) of the session's tenant: the tenant API has no route for them.
  app.get('/:tenant/secrets', async (c) => {
    const tenantId = tenantParam(c);
    requireCsrf(c, tokens, await tenantSession(c, tokens, registry, tenantId));
    return c.json(await registry.secrets.list(tenantId));
  });
  return app;
}
