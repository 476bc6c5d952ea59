import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

type Answer = { status: number; body: unknown };

const UPGRADE = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': randomBytes(16).toString('base64'),
};

/** One request over plain HTTP or as a WebSocket upgrade; the error answer as status + parsed JSON. */
function send(
  base: string,
  path: string,
  headers: Record<string, string>,
  upgrade: boolean,
): Promise<Answer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({
      host: u.hostname,
      port: u.port,
      path,
      headers: upgrade ? { ...headers, ...UPGRADE } : headers,
      timeout: 30_000,
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
      );
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: undefined });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within 30 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** A raw HTTP/1.1 exchange: what came back and whether the gateway closed the socket (within 5 s). */
function raw(
  base: string,
  text: string,
  /** How long to watch for the server's close. */
  waitMs = 5_000,
): Promise<{ received: string; closedByServer: boolean }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received, closedByServer: false });
    }, waitMs);
    socket.on('data', (c: Buffer) => (received += c));
    socket.on('end', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ received, closedByServer: true });
    });
    socket.on('error', reject);
    socket.write(text);
  });
}

describe('one request pipeline for HTTP and WebSocket upgrades', () => {
  let t: TestGateway;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestGateway();
    for (const id of ['acme', 'other', 'frozen']) keys[id] = await t.tenant(id);
    await t.admin('POST', '/admin/v1/tenants/frozen/suspend', { reason: 'unpaid' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const bearer = (id: string) => ({ authorization: `Bearer ${keys[id]}` });
  const cases: {
    name: string;
    path: string;
    headers: () => Record<string, string>;
    status: number;
    code: string;
  }[] = [
    {
      name: 'a path outside the API',
      path: '/nowhere',
      headers: () => bearer('acme'),
      status: 404,
      code: 'NOT_FOUND',
    },
    {
      name: 'an encoded slash',
      path: '/api/v1/acme/a%2Fb',
      headers: () => bearer('acme'),
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      name: 'a non-canonical tenant segment',
      path: '/api/v1/ACME/flows',
      headers: () => bearer('acme'),
      status: 400,
      code: 'BAD_REQUEST',
    },
    { name: 'no key', path: '/api/v1/acme/echo', headers: () => ({}), status: 401, code: 'UNAUTHORIZED' },
    {
      name: 'an unknown key',
      path: '/api/v1/acme/echo',
      headers: () => ({ authorization: 'Bearer silo_not-a-key' }),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: "another tenant's key",
      path: '/api/v1/acme/echo',
      headers: () => bearer('other'),
      status: 403,
      code: 'FORBIDDEN',
    },
    {
      name: 'a tenant that does not exist',
      path: '/api/v1/ghost/echo',
      headers: () => bearer('acme'),
      status: 403,
      code: 'FORBIDDEN',
    },
    {
      name: 'a suspended tenant',
      path: '/api/v1/frozen/echo',
      headers: () => bearer('frozen'),
      status: 403,
      code: 'TENANT_SUSPENDED',
    },
    {
      name: 'a webhook of an unknown tenant',
      path: '/api/v1/ghost/executions/webhook/ns/flow/key',
      headers: () => ({}),
      status: 404,
      code: 'NOT_FOUND',
    },
  ];

  for (const c of cases) {
    it(`answers ${c.name} with ${c.status} ${c.code}, the same on both paths`, async () => {
      const http = await send(t.url, c.path, c.headers(), false);
      const ws = await send(t.url, c.path, c.headers(), true);
      expect(http).toEqual({ status: c.status, body: { code: c.code, message: expect.any(String) } });
      expect(ws).toEqual(http);
    });
  }

  it('lets an authorised request through to the instance on both paths', async () => {
    expect((await send(t.url, '/api/v1/acme/echo', bearer('acme'), false)).status).toBe(200);
    expect((await send(t.url, '/api/v1/acme/ws', bearer('acme'), true)).status).toBe(101);
    // `main` is the caller's own tenant on both paths too.
    expect((await send(t.url, '/api/v1/main/ws', bearer('acme'), true)).status).toBe(101);
  });

  it("honours a client's Connection: close on a proxied response, and keeps a keep-alive client's socket", async () => {
    const head = (connection: string) =>
      `GET /api/v1/acme/echo HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${keys.acme}\r\nconnection: ${connection}\r\n\r\n`;
    const closing = await raw(t.url, head('close'));
    expect(closing.received).toMatch(/^HTTP\/1\.1 200/);
    expect(closing.received).toMatch(/\r\nconnection: close\r\n/i);
    expect(closing.closedByServer).toBe(true);

    // Kept idle past Node's default 5 s (the gateway keeps idle client connections 65 s).
    const kept = await raw(t.url, head('keep-alive'), 6_500);
    expect(kept.received).toMatch(/^HTTP\/1\.1 200/);
    expect(kept.received).toMatch(/\r\nconnection: keep-alive\r\n/i);
    expect(kept.closedByServer).toBe(false);
  });
});
