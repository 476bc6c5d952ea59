import type { ClientRequest, IncomingMessage } from 'node:http';

/**
 * How long the gateway keeps an idle socket to an instance. Well below the
 * instance's keep-alive timeout (65 s, `INSTANCE_KEEP_ALIVE_MS` in
 * packages/orchestrator/src/http/instance-server.ts) even when either event
 * loop lags: the gateway, which reuses sockets, is the one that closes them.
 * Set explicitly because the instance's `Keep-Alive: timeout=` hint, which
 * Node's agent would honour, is a hop-by-hop header the proxy strips.
 */
export const UPSTREAM_IDLE_SOCKET_MS = 30_000;

/** Methods whose request can be sent twice without a second effect (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Whether a failed proxied request may be sent once more: the instance
 * closed a reused keep-alive socket before any byte of a response came back
 * (`ECONNRESET` / "socket hang up"), the method is idempotent and the request
 * has no body (a body has been piped away and cannot be sent again). Then the
 * instance never saw the request, or may see it twice without harm.
 */
export function mayRetryUpstream(
  req: IncomingMessage,
  upstream: ClientRequest | undefined,
  err: unknown,
): boolean {
  if (upstream === undefined || !upstream.reusedSocket) return false;
  if (!IDEMPOTENT.has(req.method ?? '')) return false;
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0'))
    return false;
  const e = err as NodeJS.ErrnoException | undefined;
  return e?.code === 'ECONNRESET' || e?.message === 'socket hang up';
}
