import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/** A raw request, so paths reach the gateway exactly as written (fetch would normalise `..`). */
function raw(url: string, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const u = new URL(url);
      const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('tenant isolation', () => {
  let t: TestGateway;
  let keyA: string;
  let keyB: string;
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    t = await startTestGateway();
    keyA = await t.tenant('alpha');
    keyB = await t.tenant('bravo');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers 401 without a key', async () => {
    const res = await raw(t.url, '/api/v1/alpha/echo');
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('answers 401 with an unknown key, the same for a real and an unknown tenant', async () => {
    const fake = `${keyA.slice(0, 13)}${'x'.repeat(keyA.length - 13)}`;
    const real = await raw(t.url, '/api/v1/alpha/echo', bearer(fake));
    const unknown = await raw(t.url, '/api/v1/nobody/echo', bearer(fake));
    expect(real.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toBe(real.body);
  });

  it("answers 403 with another tenant's key", async () => {
    const res = await raw(t.url, '/api/v1/bravo/echo', bearer(keyA));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("gives an unknown tenant the same answer as another tenant's key", async () => {
    const other = await raw(t.url, '/api/v1/bravo/echo', bearer(keyA));
    const unknown = await raw(t.url, '/api/v1/nobody/echo', bearer(keyA));
    expect(unknown.status).toBe(other.status);
    expect(unknown.body.replace('nobody', 'X')).toBe(other.body.replace('bravo', 'X'));
  });

  it('answers 401 with a revoked key', async () => {
    const created = await t.admin<{ id: string; key: string }>('POST', '/admin/v1/tenants/alpha/keys', {});
    expect((await raw(t.url, '/api/v1/alpha/echo', bearer(created.key))).status).toBe(200);
    await t.admin('DELETE', `/admin/v1/tenants/alpha/keys/${created.id}`);
    expect((await raw(t.url, '/api/v1/alpha/echo', bearer(created.key))).status).toBe(401);
  });

  it('answers 403 with the reason for a suspended tenant', async () => {
    const key = await t.tenant('charlie');
    await t.admin('POST', '/admin/v1/tenants/charlie/suspend', { reason: 'invoice overdue' });
    const res = await raw(t.url, '/api/v1/charlie/echo', bearer(key));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'TENANT_SUSPENDED' });
    expect(res.body).toContain('invoice overdue');
    await t.admin('POST', '/admin/v1/tenants/charlie/resume');
    expect((await raw(t.url, '/api/v1/charlie/echo', bearer(key))).status).toBe(200);
  });

  it("routes a key of X on /api/v1/main/... to X's instance", async () => {
    const a = await raw(t.url, '/api/v1/main/echo', bearer(keyA));
    const b = await raw(t.url, '/api/v1/main/echo', bearer(keyB));
    expect(JSON.parse(a.body).tenant).toBe('alpha');
    expect(JSON.parse(b.body).tenant).toBe('bravo');
  });

  it('passes webhook paths without a key and wakes the tenant', async () => {
    await t.admin('POST', '/admin/v1/tenants/bravo/stop');
    const res = await raw(t.url, '/api/v1/bravo/executions/webhook/ns/flow/secret-key', {}, 'POST');
    // The stub has no webhook route: its own 404 proves the request reached the instance.
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).message).toContain('no route POST executions/webhook');
    const view = await t.admin<{ instance: { state: string } }>('GET', '/admin/v1/tenants/bravo');
    expect(view.instance.state).toBe('running');
  });

  it('replaces Authorization with the instance token and adds forwarding headers', async () => {
    const res = await raw(t.url, '/api/v1/alpha/echo', {
      ...bearer(keyA),
      'x-silo-instance-token': 'forged',
      'x-forwarded-for': '6.6.6.6',
      'x-request-id': 'req-123',
      host: 'silo.example',
    });
    const headers = JSON.parse(res.body).headers as Record<string, string>;
    expect(headers.authorization).toBeUndefined();
    expect(headers['x-silo-instance-token']).not.toBe('forged');
    expect(headers['x-silo-instance-token']?.length).toBeGreaterThan(16);
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe('silo.example');
    expect(headers['x-request-id']).toBe('req-123');
    expect(res.headers['x-request-id']).toBe('req-123');
  });

  it.each([
    ['an encoded slash', '/api/v1/alpha/flows%2F..%2F..%2Fbravo'],
    ['a dot-dot segment', '/api/v1/alpha/../bravo/echo'],
    ['an encoded dot-dot segment', '/api/v1/alpha/%2e%2e/bravo/echo'],
    ['an upper-case tenant', '/api/v1/ALPHA/echo'],
    ['a percent-encoded tenant', '/api/v1/alph%61/echo'],
  ])('refuses %s with 400', async (_what, path) => {
    const res = await raw(t.url, path, bearer(keyA));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
