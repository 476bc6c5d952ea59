import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createInstanceServer, INSTANCE_KEEP_ALIVE_MS } from './instance-server.js';

describe('createInstanceServer', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  it('keeps idle connections 65 s and tells the client so (the gateway drops them sooner)', async () => {
    const server = createInstanceServer(() => new Response('ok'));
    close = () => server.close();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', headers: { connection: 'keep-alive' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(INSTANCE_KEEP_ALIVE_MS).toBe(65_000);
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    expect(headers['keep-alive']).toBe('timeout=65');
  });
});
