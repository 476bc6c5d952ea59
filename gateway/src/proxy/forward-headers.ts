import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { INSTANCE_TOKEN_HEADER, WEBHOOK_MARK_HEADER } from '@silo/contracts';

/** RFC 9110 §7.6.1 hop-by-hop headers, plus the non-standard ones proxies meet in practice. */
export const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
] as const;

/**
 * Rewrites the client's request headers for the instance, by the rules of
 * `forwardHeaderList` (one rule set for both): removes hop-by-hop headers
 * (and those named in `Connection`), the client's `Authorization`,
 * `X-Request-Id` and any `x-silo-*` or `x-forwarded-*` it sent; adds the
 * instance token, `X-Request-Id` and `X-Forwarded-For/Proto/Host`.
 * `keepUpgrade` keeps `Connection: upgrade` + `Upgrade` for WebSockets;
 * `webhook` marks a keyless webhook (`X-Silo-Webhook: 1`, which only the
 * gateway can set: a client's is removed with the other `x-silo-*`). For
 * http-proxy-3 (WebSockets), which reads `req.headers`.
 *
 * @example
 * prepareForwardHeaders(req, { instanceToken, requestId, keepUpgrade: true });
 */
export function prepareForwardHeaders(
  req: IncomingMessage,
  options: { instanceToken: string; requestId: string; keepUpgrade: boolean; webhook?: boolean },
): void {
  const upgrade = req.headers.upgrade;
  const list = forwardHeaderList(req, options);
  const h: IncomingHttpHeaders = {};
  for (let i = 0; i + 1 < list.length; i += 2) {
    const name = list[i] as string;
    const value = list[i + 1] as string;
    const before = h[name];
    h[name] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
  }
  if (options.keepUpgrade && upgrade !== undefined) {
    h.connection = 'upgrade';
    h.upgrade = upgrade;
  }
  req.headers = h;
}

/** Whether the client's request header `name` (lower case) is one the gateway drops or sets itself (`X-Request-Id`: once, its own). */
function dropped(name: string): boolean {
  return (
    name === 'authorization' ||
    name === 'x-request-id' ||
    name.startsWith('x-silo-') ||
    name.startsWith('x-forwarded-') ||
    (HOP_BY_HOP as readonly string[]).includes(name)
  );
}

/**
 * The instance's request headers for an HTTP request (the gateway's rule
 * set; `prepareForwardHeaders` applies it to `req.headers`), as the flat
 * `[name, value, ...]` list that `http.request` writes as given: `req.headers`
 * is left alone, and Node skips building an outgoing headers object with a
 * `setHeader` per header (measured in bench/RESULTS-proxy.md).
 *
 * @example
 * request({ ...target, headers: forwardHeaderList(req, { instanceToken, requestId }) });
 */
export function forwardHeaderList(
  req: IncomingMessage,
  options: { instanceToken: string; requestId: string; webhook?: boolean },
): string[] {
  const h = req.headers;
  // Headers named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
  const named = h.connection?.toLowerCase().split(',');
  const list: string[] = [];
  for (const name in h) {
    if (dropped(name)) continue;
    if (named?.some((part) => part.trim() === name)) continue;
    const value = h[name];
    if (value === undefined) continue;
    if (typeof value === 'string') list.push(name, value);
    else for (const v of value) list.push(name, v);
  }
  list.push(INSTANCE_TOKEN_HEADER, options.instanceToken);
  if (options.webhook === true) list.push(WEBHOOK_MARK_HEADER, '1');
  list.push(
    'x-request-id',
    options.requestId,
    'x-forwarded-for',
    req.socket.remoteAddress ?? '',
    'x-forwarded-proto',
    'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
    'x-forwarded-host',
    h.host ?? '',
  );
  return list;
}

/**
 * The client's response headers from the instance's raw ones (`rawHeaders`,
 * duplicates such as `Set-Cookie` kept as sent): hop-by-hop headers removed,
 * `X-Request-Id` first and `Connection` last, as the flat list that
 * `writeHead` writes as given. `keepAlive`: whether Node keeps the client's
 * socket open (`res.shouldKeepAlive`); an explicit header is what Node obeys.
 */
export function responseHeaderList(raw: readonly string[], requestId: string, keepAlive: boolean): string[] {
  const list: string[] = ['x-request-id', requestId];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (lower === 'x-request-id' || (HOP_BY_HOP as readonly string[]).includes(lower)) continue;
    list.push(name, raw[i + 1] as string);
  }
  list.push('connection', keepAlive ? 'keep-alive' : 'close');
  return list;
}
