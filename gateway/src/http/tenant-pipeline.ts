import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { authorizeTenantRequest, type TenantAccess } from '../auth/tenant-auth.js';
import { NotFoundError } from '../errors.js';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import { parseTenantPath } from '../proxy/tenant-path.js';
import { type TenantProxy, writeSocketError } from '../proxy/tenant-proxy.js';
import type { Registry } from '../tenants/registry.js';
import { toErrorReply } from './on-error.js';
import { requestIdOf } from './request-id.js';

export type TenantPipelineOptions = {
  registry: Pick<Registry, 'tenants' | 'keys'>;
  manager: InstanceManager;
  proxy: TenantProxy;
  logger: Logger;
};

/**
 * The one way a tenant API request goes, for HTTP and for WebSocket upgrades
 * alike: path (`/api/v1/{tenant}/...`, unambiguous) → auth (bearer key, or a
 * webhook path) → tenant (known, not suspended) → instance (a lease: started
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

  constructor(options: TenantPipelineOptions) {
    this.#o = options;
  }

  /** Path → auth → tenant: who the request acts for, or the error it gets. */
  admit(req: IncomingMessage): TenantAccess {
    const path = parseTenantPath(req.url ?? '');
    if (path === undefined) throw new NotFoundError('route', 'at this path');
    return authorizeTenantRequest(this.#o.registry, path, req.headers.authorization);
  }

  /** An HTTP request: resolves once the response is handed to the proxy; rejects (nothing written yet) with the error to answer. */
  async web(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const access = this.admit(req);
    await this.forward(access.tenantId, req, res, requestId);
  }

  /**
   * The instance step alone, for a request already admitted for `tenantId`
   * by other means (the console's session cookie): body bound → lease → proxy.
   */
  async forward(
    tenantId: string,
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
  ): Promise<void> {
    // Before the instance step: an oversized body must not cold-start anything.
    this.#o.proxy.refuseOversizedBody(req);
    const lease = await this.#o.manager.acquire(tenantId);
    this.#o.proxy.web(req, res, { tenantId, lease, requestId });
  }

  /** A WebSocket upgrade: the same steps; a failure is written on the socket as the same error JSON. Never rejects. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const requestId = requestIdOf(req.headers['x-request-id']);
    try {
      const access = this.admit(req);
      const lease = await this.#o.manager.acquire(access.tenantId);
      this.#o.proxy.ws(req, socket, head, { tenantId: access.tenantId, lease, requestId });
    } catch (err) {
      if (toErrorReply(err).status >= 500)
        this.#o.logger.error({ err, requestId, path: req.url }, 'upgrade failed');
      writeSocketError(socket, err);
    }
  }
}
