import { Agent, type IncomingMessage, request, type ServerResponse } from 'node:http';
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
import { forwardHeaderList, prepareForwardHeaders, responseHeaderList } from './forward-headers.js';
import { mayRetryUpstream, UPSTREAM_IDLE_SOCKET_MS } from './upstream-retry.js';

/** Where one request goes: the tenant, the lease on its instance (the pipeline's instance step), the request id. */
export type ProxyTarget = {
  tenantId: string;
  lease: Awaited<ReturnType<InstanceManager['acquire']>>;
  requestId: string;
  /** A keyless webhook: marked for the instance (`X-Silo-Webhook`), which then serves only its webhook routes. */
  webhook?: boolean;
};

/**
 * Where an instance listens, as `http.request` options: a TCP host and port, or a unix socket
 * (process runtime). `protocol` is for http-proxy-3 (WebSockets), which passes the rest on.
 */
type Upstream = { host: string; port: number; socketPath?: string; protocol: 'http:' };

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
  /** Parsed instance endpoints, for `http.request` (HTTP) and http-proxy-3 (WebSockets). */
  readonly #targets = new Map<string, Upstream>();
  /** Counter children by `tenant status`: `inc({ ... })` hashes its labels on every call. */
  readonly #counters = new Map<string, { inc(): void }>();

  constructor(options: TenantProxyOptions) {
    this.#o = options;
    // Idle sockets are dropped before the instance's keep-alive timeout closes them (issue 19: a
    // socket reused just as the instance closed it was a rare 502 "socket hang up" under load).
    // `noDelay`: no Nagle wait on a request written in two parts (headers, then a piped body) while
    // the instance delays its ACK; nginx (`tcp_nodelay`) and Go (Caddy) set it by default too.
    this.#agent = new Agent({
      keepAlive: true,
      noDelay: true,
      maxFreeSockets: 64,
      timeout: options.upstreamIdleSocketMs ?? UPSTREAM_IDLE_SOCKET_MS,
    });
    this.#proxy = createProxyServer({ agent: this.#agent, ws: true, xfwd: false });
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
    // `X-Request-Id` goes in the instance's answer (`responseHeaderList`); an error answer sets it itself.
    const headers = forwardHeaderList(req, {
      instanceToken: lease.token,
      requestId,
      webhook: to.webhook === true,
    });
    let buffer: BodyLimit | undefined;
    if (chunked) {
      buffer = new BodyLimit(this.#o.bodyLimitBytes);
      buffer.on('error', (err) => {
        writeProxyError(res, requestId, err);
        req.unpipe(buffer as BodyLimit);
      });
      req.pipe(buffer);
    }
    const target = this.#target(lease.endpoint);
    const bodiless = !chunked && !(declared > 0);
    const options = { target, headers, requestId, bodiless };
    this.#send(req, res, buffer ? { ...options, buffer } : options, tenantId, true);
  }

  /**
   * One attempt, with Node's own `http.request` on the keep-alive agent (http-proxy-3 stays for
   * WebSockets: its per-request setup and events cost more than the pipe itself, see
   * bench/proxy-layers.mjs). A bodiless idempotent request whose reused socket failed before any
   * byte gets one more.
   */
  #send(
    req: IncomingMessage,
    res: ServerResponse,
    options: {
      target: Upstream;
      headers: string[];
      requestId: string;
      buffer?: BodyLimit;
      bodiless: boolean;
    },
    tenantId: string,
    mayRetry: boolean,
  ): void {
    const upstream = request({
      ...options.target,
      agent: this.#agent,
      method: req.method,
      path: req.url,
      headers: options.headers,
    });
    let failed = false;
    const onError = (err: NodeJS.ErrnoException) => {
      // Errors of `req` come here too, once per attempt: answer the first only.
      if (failed) return;
      failed = true;
      upstream.destroy();
      // The client left: nothing to answer.
      if (req.socket.destroyed && err.code === 'ECONNRESET') return;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (mayRetry && !res.destroyed && mayRetryUpstream(req, upstream, err)) {
        this.#o.logger.debug(
          { err, tenantId },
          'reused upstream socket failed before a response: sent again',
        );
        this.#send(req, res, options, tenantId, false);
        return;
      }
      void this.#o.manager.checkAlive(tenantId, err.message);
      writeProxyError(res, options.requestId, new UpstreamFailedError(tenantId, { cause: err }));
    };
    req.on('error', onError);
    upstream.on('error', onError);
    // The client left before the end: the upstream request goes too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.on('response', (answer) => {
      // The instance's `Connection` speaks of the gateway's socket to it, not of the client's. Node
      // has decided from the client's request (`Connection: close`, HTTP/1.0 without keep-alive)
      // whether its socket stays open; an explicit header is what Node obeys, so say that.
      const headers = responseHeaderList(answer.rawHeaders, options.requestId, res.shouldKeepAlive);
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      // An answer cut short (the instance died mid-stream) cuts the client's short too.
      answer.once('close', () => {
        if (!answer.complete) res.destroy();
      });
      answer.pipe(res);
    });
    // No body (most API calls): end the upstream request at once rather than set up a pipe.
    if (options.bodiless) upstream.end();
    else (options.buffer ?? req).pipe(upstream);
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

  #target(endpoint: Endpoint): Upstream {
    const key = endpoint.socketPath ?? endpoint.url;
    let target = this.#targets.get(key);
    if (target === undefined) {
      // Endpoints change at each start (new port); keep the map from growing without bound.
      if (this.#targets.size >= 1024) this.#targets.clear();
      const url = new URL(endpoint.url);
      target = endpoint.socketPath
        ? { socketPath: endpoint.socketPath, host: 'localhost', port: 80, protocol: 'http:' }
        : { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || 80), protocol: 'http:' };
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

/** An error answer of the proxy step, with the request's `X-Request-Id` (the instance's answer carries it otherwise). */
function writeProxyError(res: ServerResponse, requestId: string, err: unknown): void {
  if (!res.headersSent) res.setHeader('x-request-id', requestId);
  writeErrorReply(res, err);
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
