import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRelay, openRelay, relayPort, releaseRelays } from './relay.js';

/** Two real HTTP servers on 127.0.0.1 stand for two tasks' addresses. */
describe('loopback relays', () => {
  const servers: Server[] = [];
  const ports: number[] = [];
  beforeAll(async () => {
    for (const name of ['one', 'two']) {
      const server = createServer((req, res) => {
        res.setHeader('x-served-by', name);
        res.end(`${name} ${req.url}`);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      ports.push((server.address() as { port: number }).port);
    }
  });
  afterAll(async () => {
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
  });

  it('forwards HTTP from a loopback port to the task and gives the same port to every caller of the same task', async () => {
    const port = await openRelay('silo-r1', 'c1', { host: '127.0.0.1', port: ports[0]! });
    expect(await openRelay('silo-r1', 'c1', { host: '127.0.0.1', port: ports[0]! })).toBe(port);
    expect(await relayPort('silo-r1')).toBe(port);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await res.text()).toBe('one /healthz');
    await closeRelay('silo-r1');
  });

  it('replaces the relay of an older task, and refuses at once once closed', async () => {
    const first = await openRelay('silo-r2', 'c1', { host: '127.0.0.1', port: ports[0]! });
    const second = await openRelay('silo-r2', 'c2', { host: '127.0.0.1', port: ports[1]! });
    await expect(fetch(`http://127.0.0.1:${first}/`)).rejects.toThrow();
    expect(await (await fetch(`http://127.0.0.1:${second}/x`)).text()).toBe('two /x');
    // A close for another task leaves this one open.
    await closeRelay('silo-r2', 'c1');
    expect((await fetch(`http://127.0.0.1:${second}/y`)).status).toBe(200);
    await closeRelay('silo-r2', 'c2');
    await expect(
      fetch(`http://127.0.0.1:${second}/`, { signal: AbortSignal.timeout(2_000) }),
    ).rejects.toThrow();
    expect(await relayPort('silo-r2')).toBeUndefined();
  });

  it('stays open while one of its drivers holds it, and closes when the last one lets go', async () => {
    const [d1, d2] = [{}, {}];
    const port = await openRelay('silo-r4', 'c1', { host: '127.0.0.1', port: ports[0]! }, d1);
    expect(await openRelay('silo-r4', 'c1', { host: '127.0.0.1', port: ports[0]! }, d2)).toBe(port);
    await releaseRelays(d1);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    await releaseRelays(d2);
    expect(await relayPort('silo-r4')).toBeUndefined();
  });

  it('resets the caller when the task does not answer, without hanging', async () => {
    const idle = createServer();
    await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve));
    const deadPort = (idle.address() as { port: number }).port;
    await new Promise((resolve) => idle.close(resolve));
    const port = await openRelay('silo-r3', 'c1', { host: '127.0.0.1', port: deadPort });
    await expect(fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow(
      /fetch failed|other side closed|socket/i,
    );
    await closeRelay('silo-r3');
  });
});
