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
