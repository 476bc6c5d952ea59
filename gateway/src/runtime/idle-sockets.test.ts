import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dropIdleSockets } from './idle-sockets.js';

describe('dropIdleSockets', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });
  const serve = async () => {
    const server = createServer((_req, res) => res.end('ok'));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    return { url: `http://127.0.0.1:${port}`, host: '127.0.0.1', port };
  };
  const get = (agent: Agent, port: number) =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, agent, path: '/' }, (res) => {
        res.resume();
        res.on('end', () => setImmediate(resolve));
      });
      req.on('error', reject);
      req.end();
    });
  const idle = (agent: Agent) =>
    Object.values(agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0);

  it("destroys the agent's idle sockets to one endpoint and leaves the others", async () => {
    const agent = new Agent({ keepAlive: true });
    const [a, b] = [await serve(), await serve()];
    await get(agent, a.port);
    await get(agent, b.port);
    expect(idle(agent)).toBe(2);
    dropIdleSockets(agent, a);
    await new Promise((r) => setImmediate(r));
    expect(idle(agent)).toBe(1);
    expect(Object.keys(agent.freeSockets).every((name) => name.startsWith(`127.0.0.1:${b.port}:`))).toBe(
      true,
    );
    await get(agent, a.port); // a new socket, answered
    agent.destroy();
  });
});
