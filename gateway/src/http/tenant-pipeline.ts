import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { authorizeTenantRequest, type TenantAccess } from '../auth/tenant-auth.js';
import { WebhookGate, WebhookNotFoundError } from '../auth/webhook-gate.js';
import { NotFoundError } from '../errors.js';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import { parseTenantPath } from '../proxy/tenant-path.js';
import { type TenantProxy, writeSocketError } from '../proxy/tenant-proxy.js';
import type { Registry } from '../tenants/registry.js';
import { toErrorReply } from './on-error.js';
import { RateLimiter } from './rate-limiter.js';
import { requestIdOf } from './request-id.js';

/** Who a request acts for, and whether it is a keyless webhook (then marked for the instance). */
export type PipelineAccess = TenantAccess & { webhook: boolean };

export type TenantPipelineOptions = {
  registry: Pick<Registry, 'tenants' | 'keys' | 'instances' | 'webhookKeys'>;
  manager: InstanceManager;
  proxy: TenantProxy;
  logger: Logger;
  /** Milliseconds for the `requestsPerSecond` buckets; injected in tests. @default Date.now */
  now?: () => number;
};

/**
 * The one way a tenant API request goes, for HTTP and for WebSocket upgrades
 * alike: path (`/api/v1/{tenant}/...`, unambiguous) → auth (bearer key, or
 * the exact webhook shape admitted by `WebhookGate`) → tenant (known, not suspended) → rate (the tenant's
 * `requestsPerSecond` bucket: 429 before anything starts) → instance (a lease: started
 * on demand, held while the request lives) → the streaming proxy. Every step
 * throws a gateway error, so both paths give the same status and the same
 * `{ message, code }` body: HTTP through Hono's `onError`, an upgrade written
 * on its socket.
 *
 * @example
 * app.all('/api/v1/*', async (c) => { await pipeline.web(incoming, outgoing, requestId); ... });
 * server.on('upgrade', (req, socket, head) => void pipeline.upgrade(req, socket, head));
 */
export class TenantPipeline {
  readonly #o: TenantPipelineOptions;
  readonly #webhooks: WebhookGate;
  readonly #rate: RateLimiter;

  constructor(options: TenantPipelineOptions) {
    this.#o = options;
    this.#rate = new RateLimiter(options.now !== undefined ? { now: options.now } : {});
    this.#webhooks = new WebhookGate({
      registry: options.registry,
      instanceState: (tenantId) => options.manager.state(tenantId),
    });
  }

  /** Path → auth → tenant: who the request acts for, or the error it gets. */
  async admit(req: IncomingMessage, upgrade = false): Promise<PipelineAccess> {
    const path = parseTenantPath(req.url ?? '', req.method);
    if (path === undefined) throw new NotFoundError('route', 'at this path');
    if (path.webhook !== undefined) {
      // A webhook is never a WebSocket: the same 404 as any miss, whatever the tenant, nothing started.
      if (upgrade) throw new WebhookNotFoundError();
      const tenantId = await this.#webhooks.admit(path.segment, path.webhook);
      return { tenantId, keyId: null, webhook: true };
    }
    const access = await authorizeTenantRequest(
      this.#o.registry,
      { ...path, isWebhook: false },
      req.headers.authorization,
    );
    return { ...access, webhook: false };
  }

  /** One token of the tenant's `requestsPerSecond` bucket (the tenant is cached: no round trip). */
  async #takeToken(tenantId: string): Promise<void> {
    this.#rate.take(tenantId, (await this.#o.registry.tenants.get(tenantId))?.limits.requestsPerSecond);
  }

  /** Requests of the tenant admitted in the last full second (the admin view's usage). */
  requestsPerSecond(tenantId: string): number {
    return this.#rate.requestsPerSecond(tenantId);
  }

  /** An HTTP request: resolves once the response is handed to the proxy; rejects (nothing written yet) with the error to answer. */
  async web(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const access = await this.admit(req);
    await this.forward(access.tenantId, req, res, requestId, access.webhook);
  }

  /**
   * The instance step alone, for a request already admitted for `tenantId`
   * (by `admit`, or by the console's session cookie): body bound → lease → proxy.
   * `webhook`: a keyless webhook, held in its own bounded queue and marked for the instance.
   */
  async forward(
    tenantId: string,
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    webhook = false,
  ): Promise<void> {
    // Before the instance step: a request over the tenant's rate, or an oversized body, must not cold-start anything.
    await this.#takeToken(tenantId);
    this.#o.proxy.refuseOversizedBody(req);
    const lease = await this.#o.manager.acquire(tenantId, { keyless: webhook });
    this.#o.proxy.web(req, res, { tenantId, lease, requestId, webhook });
  }

  /** A WebSocket upgrade: the same steps; a failure is written on the socket as the same error JSON. Never rejects. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const requestId = requestIdOf(req.headers['x-request-id']);
    try {
      const access = await this.admit(req, true);
      await this.#takeToken(access.tenantId);
      const lease = await this.#o.manager.acquire(access.tenantId);
      this.#o.proxy.ws(req, socket, head, { tenantId: access.tenantId, lease, requestId });
    } catch (err) {
      if (toErrorReply(err).status >= 500)
        this.#o.logger.error({ err, requestId, path: req.url }, 'upgrade failed');
      writeSocketError(socket, err);
    }
  }
}
