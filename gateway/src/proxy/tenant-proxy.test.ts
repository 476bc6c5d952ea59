import { createServer, type Server } from 'node:http';
import {
  type AddressInfo,
  connect as createConnectionTo,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import { createGatewayMetrics } from '../metrics/gateway-metrics.js';
import { TenantProxy } from './tenant-proxy.js';

/**
 * An instance that closes a kept-alive connection at the very moment the
 * gateway reuses it: the second request on every connection is met by a
 * close before any response byte (the race behind issue 19's rare 502
 * "socket hang up", made deterministic). `/slow` answers after 500 ms.
 */
function racingUpstream(): { server: NetServer; connections: number; closedIdle: number } {
  const state = { server: undefined as unknown as NetServer, connections: 0, closedIdle: 0 };
  state.server = createNetServer((socket: Socket) => {
    state.connections += 1;
    let requests = 0;
    let answered = false;
    socket.on('data', (chunk) => {
      requests += 1;
      if (requests > 1) {
        socket.destroy();
        return;
      }
      const answer = () => {
        answered = true;
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
      };
      if (chunk.toString('latin1').startsWith('GET /slow ')) setTimeout(answer, 500);
      else answer();
    });
    socket.on('end', () => {
      if (answered) state.closedIdle += 1;
      socket.end();
    });
    socket.on('error', () => {});
  });
  return state;
}

describe('TenantProxy keep-alive reuse', () => {
  const toClose: Array<Server | NetServer> = [];
  let proxy: TenantProxy | undefined;
  afterEach(() => {
    proxy?.close();
    for (const s of toClose.splice(0)) s.close();
  });

  async function gatewayTo(upstreamIdleSocketMs?: number) {
    const upstream = racingUpstream();
    await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
    toClose.push(upstream.server);
    const checked: string[] = [];
    // The manager is asked only whether the instance is still alive after a failure: record the asks.
    const manager = {
      checkAlive: async (_tenant: string, why: string) => void checked.push(why),
    } as unknown as InstanceManager;
    proxy = new TenantProxy({
      manager,
      metrics: createGatewayMetrics(),
      logger: pino({ level: 'silent' }),
      bodyLimitBytes: 1 << 20,
      ...(upstreamIdleSocketMs === undefined ? {} : { upstreamIdleSocketMs }),
    });
    const upstreamPort = (upstream.server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${upstreamPort}`;
    const front = createServer((req, res) => {
      const lease = {
        endpoint: { url, host: '127.0.0.1', port: upstreamPort },
        token: 't',
        release: () => {},
      };
      proxy?.web(req, res, { tenantId: 'acme', lease, requestId: 'r' });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    toClose.push(front);
    const base = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    return { upstream, checked, base };
  }

  it('sends a bodiless GET once more when its reused socket is closed before any response byte', async () => {
    const { upstream, checked, base } = await gatewayTo();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${base}/api/v1/flows/search`);
      await res.text();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    // Every request after the first met a closed reused socket and was answered on a new one
    // (which the next request then reuses, and meets closed in turn).
    expect(upstream.connections).toBe(5);
    expect(checked).toEqual([]);
  });

  it('does not send a POST twice: it fails with 502 as before', async () => {
    const { checked, base } = await gatewayTo();
    const first = await fetch(`${base}/api/v1/executions/ns/f`, { method: 'POST' });
    await first.text();
    const second = await fetch(`${base}/api/v1/executions/ns/f`, { method: 'POST' });
    await second.text();
    expect([first.status, second.status]).toEqual([200, 502]);
    expect(checked).toHaveLength(1);
  });

  it('drops an idle upstream socket after its idle timeout, but not one waiting for a slow response', async () => {
    const { upstream, base } = await gatewayTo(200);
    const slow = await fetch(`${base}/slow`);
    expect([slow.status, await slow.text()]).toEqual([200, 'ok']);
    const deadline = Date.now() + 3_000;
    while (upstream.closedIdle < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(upstream.closedIdle).toBe(1);
    const next = await fetch(`${base}/api/v1/flows/search`);
    await next.text();
    expect(next.status).toBe(200);
    expect(upstream.connections).toBe(2);
  });
});

describe('TenantProxy body framing', () => {
  it('tells the instance an empty POST is empty (content-length 0, not an empty chunked body), and keeps a GET bare', async () => {
    const seen: Array<{ method?: string; length?: string; te?: string }> = [];
    const upstream = createServer((req, res) => {
      seen.push({
        method: req.method,
        length: req.headers['content-length'],
        te: req.headers['transfer-encoding'],
      });
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    const proxy = new TenantProxy({
      manager: { checkAlive: async () => undefined } as unknown as InstanceManager,
      metrics: createGatewayMetrics(),
      logger: pino({ level: 'silent' }),
      bodyLimitBytes: 1 << 20,
    });
    const front = createServer((req, res) => {
      const endpoint = { url: `http://127.0.0.1:${upstreamPort}`, host: '127.0.0.1', port: upstreamPort };
      proxy.web(req, res, {
        tenantId: 'acme',
        lease: { endpoint, token: 't', release: () => {} } as never,
        requestId: 'r',
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const port = (front.address() as AddressInfo).port;
    try {
      // A raw request: fetch would add its own content-length.
      const raw = (head: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = createConnectionTo(port);
          let answer = '';
          socket.on('data', (d) => {
            answer += d.toString();
            if (answer.endsWith('ok')) {
              socket.end();
              resolve(answer);
            }
          });
          socket.on('error', reject);
          socket.write(`${head}\r\nhost: 127.0.0.1\r\n\r\n`);
        });
      expect(await raw('POST /api/v1/acme/executions/ns/f HTTP/1.1')).toMatch(/^HTTP\/1.1 200/);
      expect(await raw('GET /api/v1/acme/flows HTTP/1.1')).toMatch(/^HTTP\/1.1 200/);
      expect(seen).toEqual([
        { method: 'POST', length: '0', te: undefined },
        { method: 'GET', length: undefined, te: undefined },
      ]);
    } finally {
      proxy.close();
      front.close();
      upstream.close();
    }
  });
});
