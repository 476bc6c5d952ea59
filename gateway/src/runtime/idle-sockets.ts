import type { Agent } from 'node:http';
import type { Endpoint } from './runtime-driver.js';

/**
 * Destroys the idle keep-alive sockets `agent` holds to `endpoint`. Called
 * when an instance is frozen: on resume its overdue keep-alive timers fire at
 * once and it closes those sockets, while the gateway would reuse one for the
 * request that resumed it (ECONNRESET, a 502). Sockets in use are left alone.
 *
 * @example
 * dropIdleSockets(agent, { url: 'http://localhost', host: 'localhost', port: 0, socketPath: '/run/acme.sock' });
 */
export function dropIdleSockets(agent: Agent, endpoint: Endpoint): void {
  // Agent names are `host:port:localAddress[:family][:socketPath]`.
  const match = (name: string) =>
    endpoint.socketPath !== undefined
      ? name.endsWith(`:${endpoint.socketPath}`)
      : name.startsWith(`${endpoint.host}:${endpoint.port}:`);
  for (const [name, sockets] of Object.entries(agent.freeSockets)) {
    if (!match(name)) continue;
    for (const socket of sockets ?? []) socket.destroy();
  }
}
