import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * Loopback relays: the gateway's way into a swarm task. Swarm cannot publish
 * a port on 127.0.0.1 only (a published port listens on every interface of
 * every node), so nothing is published: the task listens on its address on a
 * node-local network, and the gateway opens one TCP relay per running task
 * on 127.0.0.1 of its own host, which pipes bytes both ways (HTTP, streams,
 * WebSockets alike). The proxy, the readiness probes and the tests see an
 * ordinary `http://127.0.0.1:<port>` endpoint, as with the other runtimes.
 *
 * The relays belong to the gateway process, not to one driver object: a
 * second driver in the same process (adoption) finds the relay of a task
 * already open instead of opening a second one on another port. A relay
 * does not keep the process alive by itself (`unref`).
 */

type Target = { host: string; port: number };
type Relay = {
  containerId: string;
  target: Target;
  server: Server;
  sockets: Set<Socket>;
  port: number;
  /** The drivers using it: the last one to let go (`releaseRelays`) closes it. */
  holders: Set<object>;
};

/** Relays by key (the service name), one per running task. */
const relays = new Map<string, Promise<Relay>>();

/**
 * The loopback port that reaches `target` for the task `containerId`,
 * opening the relay if none is open for it; a relay to an older task under
 * the same key is closed first.
 *
 * @example
 * const port = await openRelay('silo-acme', containerId, { host: '172.19.0.2', port: 8081 });
 */
export async function openRelay(
  key: string,
  containerId: string,
  target: Target,
  holder: object = relays,
): Promise<number> {
  const current = relays.get(key);
  if (current) {
    const relay = await current.catch(() => undefined);
    if (relay && relay.containerId === containerId && sameTarget(relay.target, target)) {
      relay.holders.add(holder);
      return relay.port;
    }
    await closeRelay(key);
  }
  const opening = listen(containerId, target);
  relays.set(key, opening);
  try {
    const relay = await opening;
    relay.holders.add(holder);
    return relay.port;
  } catch (err) {
    if (relays.get(key) === opening) relays.delete(key);
    throw err;
  }
}

/** The loopback port of the open relay under `key`, if any. */
export async function relayPort(key: string): Promise<number | undefined> {
  return (await relays.get(key)?.catch(() => undefined))?.port;
}

/**
 * Closes the relay under `key` (only if it serves `containerId`, when
 * given) and every connection through it: a stopped task's endpoint refuses
 * at once instead of hanging.
 */
export async function closeRelay(key: string, containerId?: string): Promise<void> {
  const current = relays.get(key);
  if (!current) return;
  const relay = await current.catch(() => undefined);
  if (containerId !== undefined && relay && relay.containerId !== containerId) return;
  if (relays.get(key) === current) relays.delete(key);
  if (!relay) return;
  for (const socket of relay.sockets) socket.destroy();
  await new Promise<void>((resolve) => relay.server.close(() => resolve()));
}

/** `holder` (a driver being closed) lets go of its relays; those no one holds any more are closed. */
export async function releaseRelays(holder: object): Promise<void> {
  for (const [key, pending] of [...relays]) {
    const relay = await pending.catch(() => undefined);
    if (!relay?.holders.delete(holder)) continue;
    if (relay.holders.size === 0) await closeRelay(key, relay.containerId);
  }
}

function sameTarget(a: Target, b: Target): boolean {
  return a.host === b.host && a.port === b.port;
}

function listen(containerId: string, target: Target): Promise<Relay> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer({ noDelay: true }, (client) => {
    track(client);
    const upstream = connect({ host: target.host, port: target.port, noDelay: true });
    track(upstream);
    // Either side failing or closing ends both: the caller sees a reset, never a hang.
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.unref();
      resolve({ containerId, target, server, sockets, port, holders: new Set() });
    });
  });
}
