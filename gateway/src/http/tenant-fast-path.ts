import type { IncomingMessage, ServerResponse } from 'node:http';
import { KESTRA_CONFIGS_PATH } from '@silo/contracts';
import type { Logger } from 'pino';
import { CSRF_HEADER } from '../console/console-auth.js';
import { toErrorReply, writeErrorReply } from './on-error.js';
import { requestIdOf } from './request-id.js';
import type { TenantPipeline } from './tenant-pipeline.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const API_PREFIX = '/api/v1/';

/**
 * Whether a request goes straight to the tenant pipeline on Node's own
 * request and response, without Hono: a path under `/api/v1/` other than
 * Kestra's static configuration, authorised by a bearer key or a webhook
 * path. A console session (cookie + CSRF header, no `Authorization`) still
 * goes through the app, whose console middleware reads the cookie.
 */
export function isTenantFastPath(req: IncomingMessage): boolean {
  const url = req.url;
  if (url === undefined || !url.startsWith(API_PREFIX)) return false;
  if (url.startsWith(KESTRA_CONFIGS_PATH)) return false;
  return req.headers.authorization !== undefined || req.headers[CSRF_HEADER] === undefined;
}

/**
 * The gateway's request listener: tenant API requests (`isTenantFastPath`)
 * go to `pipeline.web` with the raw `IncomingMessage`/`ServerResponse`; all
 * the rest (admin, console, health, metrics, 404) to the Hono app. Hono's
 * adapter builds a fetch `Request`, a context and a middleware chain for each
 * request, work that a proxied request, handed back as the raw response
 * anyway (`RESPONSE_ALREADY_SENT`), does not need: measured in
 * bench/proxy-layers.mjs. What the app would do for these requests is done
 * here the same way: the request id (the client's `X-Request-Id` when plain,
 * else a new one) on every answer, errors as `{ message, code }` with their
 * status and `Retry-After`, 5xx logged as "request failed".
 *
 * @example
 * const server = createAdaptorServer({ fetch: app.fetch });
 * const [hono] = server.listeners('request');
 * server.removeAllListeners('request').on('request', tenantFastPath(pipeline, logger, hono));
 */
export function tenantFastPath(pipeline: TenantPipeline, logger: Logger, fallback: Listener): Listener {
  return (req, res) => {
    if (!isTenantFastPath(req)) {
      fallback(req, res);
      return;
    }
    const requestId = requestIdOf(req.headers['x-request-id']);
    pipeline.web(req, res, requestId).catch((err: unknown) => {
      const status = toErrorReply(err).status;
      if (status >= 500) logger.error({ err, path: pathOf(req.url) }, 'request failed');
      if (!res.headersSent) res.setHeader('x-request-id', requestId);
      writeErrorReply(res, err);
    });
  };
}

function pathOf(url: string | undefined): string {
  const q = (url ?? '').indexOf('?');
  return q === -1 ? (url ?? '') : (url ?? '').slice(0, q);
}
