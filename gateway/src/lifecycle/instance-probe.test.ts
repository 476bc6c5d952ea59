import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../runtime/runtime-driver.js';
import { HttpInstanceProbe } from './instance-probe.js';

const servers: { close: (cb: () => void) => void }[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function listen(server: Server): Promise<Endpoint> {
  servers.push(server);
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, host: '127.0.0.1', port };
}

describe('HttpInstanceProbe', () => {
  it('gives up on an attempt that gets no byte (a silent userland proxy) within its bound', async () => {
    const endpoint = await listen(createServer(() => undefined));
    const probe = new HttpInstanceProbe({ readyAttemptMs: 150 });
    const t0 = Date.now();
    expect(await probe.ready(endpoint, 't')).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1_000);
    probe.close();
  });

  it('answers false at once when the connection is accepted and closed (proxy before the instance listens)', async () => {
    const endpoint = await listen(createServer((socket) => socket.destroy()));
    const probe = new HttpInstanceProbe({ readyAttemptMs: 5_000 });
    const t0 = Date.now();
    expect(await probe.ready(endpoint, 't')).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1_000);
    probe.close();
  });

  it('bounds an answer that starts but never ends (headers, then silence)', async () => {
    const endpoint = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"busy":');
      }) as unknown as Server,
    );
    const probe = new HttpInstanceProbe({ reportAttemptMs: 150 });
    const t0 = Date.now();
    await expect(probe.report(endpoint, 't')).rejects.toThrow(/within 150 ms/);
    expect(Date.now() - t0).toBeLessThan(1_000);
    probe.close();
  });

  it('answers true when /readyz says 200', async () => {
    const endpoint = await listen(
      createHttpServer((req, res) => {
        res.writeHead(req.url === '/readyz' ? 200 : 404);
        res.end();
      }) as unknown as Server,
    );
    const probe = new HttpInstanceProbe();
    expect(await probe.ready(endpoint, 't')).toBe(true);
    probe.close();
  });

  it('refuses a lifecycle report over its size bound, declared or streamed, with an error naming the bound', async () => {
    const endpoint = await listen(
      createHttpServer((req, res) => {
        if (req.url?.includes('lifecycle') && req.headers['x-case'] === undefined) {
          // Streamed without a length: 64 KiB chunks, far more than the bound, until the reader hangs up.
          res.writeHead(200, { 'content-type': 'application/json' });
          let sent = 0;
          const pump = () => {
            while (sent < 256 && res.write(Buffer.alloc(64 * 1024, 32))) sent++;
            if (sent < 256 && !res.destroyed) res.once('drain', pump);
          };
          pump();
          return;
        }
        res.writeHead(404);
        res.end();
      }) as unknown as Server,
    );
    const probe = new HttpInstanceProbe({ reportMaxBytes: 1024, reportAttemptMs: 5_000 });
    const t0 = Date.now();
    await expect(probe.report(endpoint, 't')).rejects.toThrow(/answered more than 1024 bytes: refused/);
    expect(Date.now() - t0).toBeLessThan(2_000);
    probe.close();

    const declared = await listen(
      createHttpServer((_req, res) => {
        const body = JSON.stringify({ busy: false, pad: 'x'.repeat(4096) });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      }) as unknown as Server,
    );
    const small = new HttpInstanceProbe({ reportMaxBytes: 1024 });
    await expect(small.report(declared, 't')).rejects.toThrow(/more than 1024 bytes/);
    small.close();
  });
});
