import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LifecycleReport } from '@silo/contracts';
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config.js';
import { createGateway, type Gateway } from '../gateway.js';
import { makeOnError } from '../http/on-error.js';
import type { InstanceProbe } from '../lifecycle/instance-probe.js';
import { FakeDriver } from '../runtime/fake/fake-driver.js';
import { staticRoutes } from './static-routes.js';

const probe: InstanceProbe = {
  ready: async () => true,
  report: async (): Promise<LifecycleReport> => ({
    busy: false,
    activeStreams: 0,
    pendingExecutions: 0,
    nextWakeAt: null,
  }),
};
const ADMIN = 'test-admin-token-0123456789';

describe('console sessions on a real gateway (127.0.0.1)', () => {
  let gateway: Gateway;
  let url = '';
  let dataDir = '';
  let acmeKey = '';
  let otherKey = '';
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'silo-console-'));
    const config = loadGatewayConfig({
      SILO_DATA_DIR: dataDir,
      SILO_PORT: '0',
      SILO_HOST: '127.0.0.1',
      SILO_ADMIN_TOKEN: ADMIN,
    });
    gateway = await createGateway({
      config,
      driver: new FakeDriver(),
      probe,
      logger: pino({ level: 'silent' }),
    });
    url = await gateway.listen();
    await gateway.registry.tenants.create({ id: 'acme' });
    await gateway.registry.tenants.create({ id: 'other' });
    acmeKey = (await gateway.registry.keys.create('acme', 'console')).key;
    otherKey = (await gateway.registry.keys.create('other', 'console')).key;
  });
  afterAll(async () => {
    await gateway.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const signIn = (tenant: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/ui/${tenant}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

  it("refuses a wrong key, another tenant's key, a missing field and a non-JSON body, and sets no cookie", async () => {
    const wrong = await signIn('acme', { key: 'silo_nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const foreign = await signIn('acme', { key: otherKey });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    const missing = await signIn('acme', {});
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { message: string }).message).toMatch(/key/);
    const form = await fetch(`${url}/ui/acme/session`, {
      method: 'POST',
      body: `key=${acmeKey}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(400);
  });

  it('issues an httpOnly SameSite=Strict cookie scoped to the tenant, Secure only over HTTPS', async () => {
    const res = await signIn('acme', { key: acmeKey });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^silo_console_acme=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/);
    const body = (await res.json()) as { csrf: string };
    const session = await fetch(`${url}/ui/acme/session`, { headers: { cookie: cookieOf(res) } });
    expect(await session.json()).toMatchObject({ tenantId: 'acme', csrf: body.csrf });
    const https = await signIn('acme', { key: acmeKey }, { 'x-forwarded-proto': 'https' });
    expect(https.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('accepts the cookie on the API only with the CSRF header, and never for another tenant', async () => {
    const res = await signIn('acme', { key: acmeKey });
    const cookie = cookieOf(res);
    const { csrf } = (await res.json()) as { csrf: string };
    const noCsrf = await fetch(`${url}/api/v1/acme/flows/search`, { headers: { cookie } });
    expect(noCsrf.status).toBe(401);
    const badCsrf = await fetch(`${url}/api/v1/acme/flows/search`, {
      headers: { cookie, 'x-silo-csrf': 'nope' },
    });
    expect(badCsrf.status).toBe(403);
    expect(((await badCsrf.json()) as { message: string }).message).toMatch(/x-silo-csrf/);
    for (const tenant of ['other', 'main']) {
      const cross = await fetch(`${url}/api/v1/${tenant}/flows/search`, {
        headers: { cookie, 'x-silo-csrf': csrf },
      });
      expect(cross.status).toBe(401);
    }
    // The admin API does not take a tenant's cookie either.
    const admin = await fetch(`${url}/ui/admin/api/v1/tenants`, { headers: { cookie, 'x-silo-csrf': csrf } });
    expect(admin.status).toBe(401);
  });

  it('ends the session when its key is revoked or its tenant suspended', async () => {
    const { key, record } = await gateway.registry.keys.create('acme', 'short-lived');
    const res = await signIn('acme', { key });
    const cookie = cookieOf(res);
    expect((await fetch(`${url}/ui/acme/session`, { headers: { cookie } })).status).toBe(200);
    await gateway.registry.keys.revoke('acme', record.id);
    const revoked = await fetch(`${url}/ui/acme/session`, { headers: { cookie } });
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { message: string }).message).toMatch(/revoked/);

    const live = cookieOf(await signIn('acme', { key: acmeKey }));
    await gateway.registry.tenants.setState('acme', 'suspended', 'unpaid');
    try {
      expect((await fetch(`${url}/ui/acme/session`, { headers: { cookie: live } })).status).toBe(403);
      expect((await signIn('acme', { key: acmeKey })).status).toBe(403);
    } finally {
      await gateway.registry.tenants.setState('acme', 'active');
    }
  });

  it('opens the admin API to an operator session with its CSRF token, and signs out', async () => {
    expect(
      (
        await fetch(`${url}/ui/admin/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"token":"wrong"}',
        })
      ).status,
    ).toBe(401);
    const res = await fetch(`${url}/ui/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN }),
    });
    expect(res.status).toBe(200);
    const cookie = cookieOf(res);
    const { csrf } = (await res.json()) as { csrf: string };
    expect((await fetch(`${url}/ui/admin/api/v1/tenants`, { headers: { cookie } })).status).toBe(403);
    const list = await fetch(`${url}/ui/admin/api/v1/tenants`, { headers: { cookie, 'x-silo-csrf': csrf } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { total: number }).total).toBe(2);
    const unknown = await fetch(`${url}/ui/admin/api/v1/nothing-here`, {
      headers: { cookie, 'x-silo-csrf': csrf },
    });
    expect(unknown.status).toBe(404);
    const metrics = await fetch(`${url}/ui/admin/api/metrics`, { headers: { cookie, 'x-silo-csrf': csrf } });
    expect(await metrics.json()).toMatchObject({ runningInstances: 0, pausedInstances: 0, heldRequests: 0 });
    // The operator's cookie opens no tenant's API.
    expect(
      (await fetch(`${url}/api/v1/acme/flows/search`, { headers: { cookie, 'x-silo-csrf': csrf } })).status,
    ).toBe(401);
    const out = await fetch(`${url}/ui/admin/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-silo-csrf': csrf },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/silo_console_admin=;.*Max-Age=0/);
  });

  it("lists the tenant's secret names, never their values", async () => {
    await gateway.registry.secrets.set('acme', 'DB_PASSWORD', 'hunter2');
    const res = await signIn('acme', { key: acmeKey });
    const { csrf } = (await res.json()) as { csrf: string };
    const secrets = await fetch(`${url}/ui/acme/secrets`, {
      headers: { cookie: cookieOf(res), 'x-silo-csrf': csrf },
    });
    const text = await secrets.text();
    expect(text).toContain('DB_PASSWORD');
    expect(text).not.toContain('hunter2');
  });
});

describe('console static files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'silo-console-dist-'));
  mkdirSync(join(dir, '_assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(dir, '_assets', 'index-abc123.js'), `console.log(${JSON.stringify('x'.repeat(2000))});`);
  const app = new Hono().route('/ui', staticRoutes(dir));
  app.onError(makeOnError(pino({ level: 'silent' })));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves hashed files immutable (gzipped when asked) and index.html no-cache for every console path', async () => {
    const js = await app.request('/ui/_assets/index-abc123.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    for (const path of ['/ui', '/ui/acme/', '/ui/admin/', '/ui/acme/anything']) {
      const html = await app.request(path);
      expect(html.status).toBe(200);
      expect(html.headers.get('cache-control')).toBe('no-cache');
      expect(html.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      const again = await app.request(path, { headers: { 'if-none-match': html.headers.get('etag') ?? '' } });
      expect(again.status).toBe(304);
    }
    expect((await app.request('/ui/_assets/missing.js')).status).toBe(404);
  });

  it('says how to build the console when it is not built', async () => {
    const res = await staticRoutes(join(dir, 'nowhere')).request('/acme/');
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build/);
  });
});
