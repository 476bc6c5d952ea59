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
 * Rewrites the client's request headers in place for the instance: removes
 * hop-by-hop headers (and those named in `Connection`), the client's
 * `Authorization` and any `x-silo-*` or `x-forwarded-*` it sent; adds the
 * instance token, `X-Request-Id` and `X-Forwarded-For/Proto/Host`.
 * `keepUpgrade` keeps `Connection: upgrade` + `Upgrade` for WebSockets;
 * `webhook` marks a keyless webhook (`X-Silo-Webhook: 1`, which only the
 * gateway can set: a client's is removed with the other `x-silo-*`).
 *
 * @example
 * prepareForwardHeaders(req, { instanceToken, requestId, keepUpgrade: false });
 */
export function prepareForwardHeaders(
  req: IncomingMessage,
  options: { instanceToken: string; requestId: string; keepUpgrade: boolean; webhook?: boolean },
): void {
  const h: IncomingHttpHeaders = req.headers;
  const upgrade = h.upgrade;
  const connection = h.connection;
  // Headers named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
  if (connection !== undefined) {
    for (const part of connection.split(',')) {
      const name = part.trim().toLowerCase();
      if (name !== '') delete h[name];
    }
  }
  // Transfer-Encoding goes too: the body is piped again and Node re-chunks it when it has no Content-Length.
  for (const name of HOP_BY_HOP) if (name in h) delete h[name];
  delete h.authorization;
  for (const name in h) {
    if (name.startsWith('x-silo-') || name.startsWith('x-forwarded-')) delete h[name];
  }
  if (options.keepUpgrade && upgrade !== undefined) {
    h.connection = 'upgrade';
    h.upgrade = upgrade;
  }
  h[INSTANCE_TOKEN_HEADER] = options.instanceToken;
  if (options.webhook === true) h[WEBHOOK_MARK_HEADER] = '1';
  h['x-request-id'] = options.requestId;
  h['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  h['x-forwarded-proto'] = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
  h['x-forwarded-host'] = req.headers.host ?? '';
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
 * The instance's request headers for an HTTP request, by the rules of
 * `prepareForwardHeaders` (without `keepUpgrade`), as the flat
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
