import { Agent, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import type { Logger } from 'pino';
import { PayloadTooLargeError, UpstreamFailedError } from '../errors.js';
import { toErrorReply, writeErrorReply } from '../http/on-error.js';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { dropIdleSockets } from '../runtime/idle-sockets.js';
import type { Endpoint } from '../runtime/runtime-driver.js';
import { BodyLimit } from './body-limit.js';
import { HOP_BY_HOP, prepareForwardHeaders } from './forward-headers.js';
import { mayRetryUpstream, UPSTREAM_IDLE_SOCKET_MS } from './upstream-retry.js';

/** Where one request goes: the tenant, the lease on its instance (the pipeline's instance step), the request id. */
export type ProxyTarget = {
  tenantId: string;
  lease: Awaited<ReturnType<InstanceManager['acquire']>>;
  requestId: string;
  /** A keyless webhook: marked for the instance (`X-Silo-Webhook`), which then serves only its webhook routes. */
  webhook?: boolean;
};

/** An instance on a unix socket (process runtime): http-proxy-3 passes `socketPath` to `http.request`. */
type UnixTarget = { socketPath: string; host: string; port: number; protocol: 'http:' };

export type TenantProxyOptions = {
  manager: InstanceManager;
  metrics: GatewayMetrics;
  logger: Logger;
  /** SILO_BODY_LIMIT in bytes. */
  bodyLimitBytes: number;
  /** How long an idle socket to an instance is kept; default `UPSTREAM_IDLE_SOCKET_MS` (tests shorten it). */
  upstreamIdleSocketMs?: number;
};

/**
 * Streams requests to a tenant's instance with http-proxy-3 (about three
 * times the throughput of the fetch-based `hono/proxy`, measured for
 * DESIGN.md): bodies are piped both ways, never buffered, so SSE passes event
 * by event and a 50 MB upload costs no memory; WebSocket upgrades are piped
 * as sockets. Upstream sockets are kept alive. The request counts as in
 * flight (the instance cannot be reaped) until its response or socket closes.
 *
 * @example
 * proxy.web(incoming, outgoing, { tenantId: 'acme', lease, requestId }); // then return RESPONSE_ALREADY_SENT
 */
export class TenantProxy {
  readonly #o: TenantProxyOptions;
  readonly #agent: Agent;
  readonly #proxy: ProxyServer;
  /** The upstream request of each proxied request, to tell a failed reused socket (`mayRetryUpstream`). */
  readonly #upstream = new WeakMap<IncomingMessage, ClientRequest>();
  /** Parsed instance URLs: http-proxy-3 would parse a string target again for every request. */
  readonly #targets = new Map<string, URL | UnixTarget>();
  /** Counter children by `tenant status`: `inc({ ... })` hashes its labels on every call. */
  readonly #counters = new Map<string, { inc(): void }>();

  constructor(options: TenantProxyOptions) {
    this.#o = options;
    // Idle sockets are dropped before the instance's keep-alive timeout closes them (issue 19: a
    // socket reused just as the instance closed it was a rare 502 "socket hang up" under load).
    this.#agent = new Agent({
      keepAlive: true,
      maxFreeSockets: 64,
      timeout: options.upstreamIdleSocketMs ?? UPSTREAM_IDLE_SOCKET_MS,
    });
    this.#proxy = createProxyServer({ agent: this.#agent, ws: true, xfwd: false });
    this.#proxy.on('proxyReq', (proxyReq, req) => this.#upstream.set(req, proxyReq));
    this.#proxy.on('proxyRes', (proxyRes, _req, res) => {
      for (const name of HOP_BY_HOP) delete proxyRes.headers[name];
      // The instance's `Connection` speaks of the gateway's socket to it, not of the client's. Node
      // has decided from the client's request (`Connection: close`, HTTP/1.0 without keep-alive)
      // whether its socket stays open; an explicit header is what Node obeys, so say that.
      proxyRes.headers.connection = res.shouldKeepAlive ? 'keep-alive' : 'close';
    });
    this.#proxy.on('error', (err) => this.#o.logger.warn({ err }, 'proxy error without a handler'));
  }

  /** Refuses (413) a body whose declared length is over the limit; call it before an instance is started for it. */
  refuseOversizedBody(req: IncomingMessage): void {
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > this.#o.bodyLimitBytes) throw new PayloadTooLargeError(this.#o.bodyLimitBytes);
  }

  /**
   * Proxies one HTTP request to the leased instance; the lease is released
   * when the response closes (at once when the client left during the cold start).
   */
  web(req: IncomingMessage, res: ServerResponse, to: ProxyTarget): void {
    const { tenantId, lease, requestId } = to;
    if (res.destroyed || req.socket.destroyed) {
      lease.release();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const started = Date.now();
    res.once('close', () => {
      lease.release();
      this.#counted(tenantId, res.statusCode).inc();
      this.#o.logger.info(
        { requestId, tenantId, method: req.method, status: res.statusCode, ms: Date.now() - started },
        'proxied',
      );
    });
    const chunked = !(declared >= 0) && req.headers['transfer-encoding'] !== undefined;
    prepareForwardHeaders(req, {
      instanceToken: lease.token,
      requestId,
      keepUpgrade: false,
      webhook: to.webhook === true,
    });
    res.setHeader('x-request-id', requestId);
    let buffer: BodyLimit | undefined;
    if (chunked) {
      buffer = new BodyLimit(this.#o.bodyLimitBytes);
      buffer.on('error', (err) => {
        writeErrorReply(res, err);
        req.unpipe(buffer as BodyLimit);
      });
      req.pipe(buffer);
    }
    const target = this.#target(lease.endpoint);
    this.#send(req, res, buffer ? { target, buffer } : { target }, tenantId, true);
  }

  /** One attempt; a bodiless idempotent request whose reused socket failed before any byte gets one more. */
  #send(
    req: IncomingMessage,
    res: ServerResponse,
    options: { target: URL | UnixTarget; buffer?: BodyLimit },
    tenantId: string,
    mayRetry: boolean,
  ): void {
    let failed = false;
    this.#proxy.web(req, res, options, (err) => {
      // http-proxy-3 also reports errors of `req` here, once per attempt: answer the first only.
      if (failed) return;
      failed = true;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (mayRetry && !res.destroyed && mayRetryUpstream(req, this.#upstream.get(req), err)) {
        this.#o.logger.debug(
          { err, tenantId },
          'reused upstream socket failed before a response: sent again',
        );
        this.#send(req, res, options, tenantId, false);
        return;
      }
      void this.#o.manager.checkAlive(tenantId, (err as Error).message);
      writeErrorReply(res, new UpstreamFailedError(tenantId, { cause: err }));
    });
  }

  /** Proxies a WebSocket upgrade to the leased instance; the lease is released when the socket closes. */
  ws(req: IncomingMessage, socket: Duplex, head: Buffer, to: ProxyTarget): void {
    const { tenantId, lease, requestId } = to;
    if (socket.destroyed) {
      lease.release();
      return;
    }
    socket.once('close', () => lease.release());
    prepareForwardHeaders(req, { instanceToken: lease.token, requestId, keepUpgrade: true, webhook: false });
    this.#proxy.ws(req, socket, head, { target: this.#target(lease.endpoint) }, (err) => {
      this.#o.logger.warn({ err, tenantId, requestId }, 'websocket proxy failed');
      writeSocketError(socket, new UpstreamFailedError(tenantId, { cause: err }));
    });
  }

  #target(endpoint: Endpoint): URL | UnixTarget {
    const key = endpoint.socketPath ?? endpoint.url;
    let target = this.#targets.get(key);
    if (target === undefined) {
      // Endpoints change at each start (new port); keep the map from growing without bound.
      if (this.#targets.size >= 1024) this.#targets.clear();
      target = endpoint.socketPath
        ? { socketPath: endpoint.socketPath, host: 'localhost', port: 80, protocol: 'http:' }
        : new URL(endpoint.url);
      this.#targets.set(key, target);
    }
    return target;
  }

  #counted(tenantId: string, status: number): { inc(): void } {
    const key = `${tenantId} ${status}`;
    let counter = this.#counters.get(key);
    if (counter === undefined) {
      counter = this.#o.metrics.proxiedRequests.labels({ tenant: tenantId, status: String(status) });
      this.#counters.set(key, counter);
    }
    return counter;
  }

  /** Drops the idle upstream sockets to an instance being frozen (see `dropIdleSockets`). */
  forget(endpoint: Endpoint): void {
    dropIdleSockets(this.#agent, endpoint);
  }

  close(): void {
    this.#proxy.close();
    this.#agent.destroy();
  }
}

/** Answers an upgrade request on its raw socket with the gateway's error JSON. */
export function writeSocketError(socket: Duplex, err: unknown): void {
  if (socket.destroyed) return;
  const reply = toErrorReply(err);
  const body = JSON.stringify(reply.body);
  const extra = Object.entries(reply.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${reply.status} ${reply.body.code}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`,
  );
}
