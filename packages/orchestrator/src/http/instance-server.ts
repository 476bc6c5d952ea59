import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';

/**
 * How long an idle keep-alive connection from the gateway stays open. Node's
 * default (5 s) raced the gateway's agent, which reused a socket at the moment
 * the instance closed it: a rare 502 "socket hang up" under load (issue 19).
 * The gateway's agent drops idle sockets well before this
 * (`UPSTREAM_IDLE_SOCKET_MS` in gateway/src/proxy/upstream-retry.ts), so the
 * side that closes an idle connection is always the one that would reuse it.
 */
export const INSTANCE_KEEP_ALIVE_MS = 65_000;

/** The instance's HTTP server over the orchestrator's fetch handler, with explicit keep-alive timeouts. */
export function createInstanceServer(fetch: (request: Request) => Response | Promise<Response>): Server {
  const server = createAdaptorServer({ fetch }) as Server;
  server.keepAliveTimeout = INSTANCE_KEEP_ALIVE_MS;
  // Must outlast keepAliveTimeout, or Node may time a reused socket out while it waits for headers.
  server.headersTimeout = INSTANCE_KEEP_ALIVE_MS + 1_000;
  return server;
}
