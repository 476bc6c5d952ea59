import type { ServerResponse } from 'node:http';
import { assertNever, type ErrorBody, type GatewayErrorCode } from '@silo/contracts';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import {
  GatewayError,
  InstanceUnavailableError,
  RateLimitedError,
  RegistryUnavailableError,
} from '../errors.js';
/** What an error becomes on the wire. */
export type ErrorReply = { status: ContentfulStatusCode; body: ErrorBody; headers: Record<string, string> };

/** The status of each gateway error code; the switch is exhaustive. */
export function statusOf(code: GatewayErrorCode): ContentfulStatusCode {
  switch (code) {
    case 'BAD_REQUEST':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
    case 'TENANT_SUSPENDED':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'RATE_LIMITED':
      return 429;
    case 'UPSTREAM_FAILED':
      return 502;
    case 'INSTANCE_UNAVAILABLE':
    case 'REGISTRY_UNAVAILABLE':
      return 503;
    case 'NOT_IMPLEMENTED':
      return 501;
    case 'INTERNAL':
      return 500;
    default:
      return assertNever(code);
  }
}

/**
 * The only place that turns an error into a status and the gateway's error
 * JSON `{ message, code }` (+ `Retry-After` for 429 and 503). Unknown errors become a
 * 500 whose message hides internals.
 *
 * @example
 * const { status, body, headers } = toErrorReply(new NotFoundError('tenant', 'acme'));
 */
export function toErrorReply(err: unknown): ErrorReply {
  if (err instanceof GatewayError) {
    const body: ErrorBody = { message: err.message, code: err.code };
    const details = (err as { details?: ErrorBody['details'] }).details;
    if (details !== undefined) body.details = details;
    const headers: Record<string, string> = {};
    if (
      err instanceof InstanceUnavailableError ||
      err instanceof RateLimitedError ||
      err instanceof RegistryUnavailableError
    )
      headers['retry-after'] = String(err.retryAfterSeconds);
    return { status: statusOf(err.code), body, headers };
  }
  return { status: 500, body: { message: 'internal error in the gateway', code: 'INTERNAL' }, headers: {} };
}

/** Hono's `onError` for the gateway app. */
export function makeOnError(logger: Logger) {
  return (err: Error, c: Context) => {
    const reply = toErrorReply(err);
    if (reply.status >= 500) logger.error({ err, path: c.req.path }, 'request failed');
    return c.json(reply.body, reply.status, reply.headers);
  };
}

/** Writes an error reply on a raw Node response (the proxy path, where Hono has handed over). */
export function writeErrorReply(res: ServerResponse, err: unknown): void {
  const reply = toErrorReply(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}
