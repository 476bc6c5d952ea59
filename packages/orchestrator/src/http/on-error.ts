import { randomUUID } from 'node:crypto';
import { assertNever } from '@silo/contracts';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { BulkInvalidError, DomainError, type DomainErrorCode, type ErrorDetail } from '../errors.js';
import { FlowNotFoundError, InvalidInputsError } from '../executor/engine-errors.js';
import { KvError, type KvErrorCode } from '../kv/kv-errors.js';
import { dialectOf } from './dialect.js';
import { problemBody, problemResponse } from './problem-json.js';
import { InvalidQueryFiltersError } from './query-filters.js';

/** The status of each domain error code; the switch is exhaustive. */
export function statusOf(code: DomainErrorCode): ContentfulStatusCode {
  switch (code) {
    case 'BAD_REQUEST':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'INVALID_ENTITY':
      return 422;
    case 'NOT_READY':
      return 503;
    case 'INSUFFICIENT_STORAGE':
      return 507;
    case 'NOT_IMPLEMENTED':
      return 501;
    default:
      return assertNever(code);
  }
}

/** The status of each KV error code; the switch is exhaustive. */
export function kvStatusOf(code: KvErrorCode): ContentfulStatusCode {
  switch (code) {
    case 'KV_INVALID_KEY':
    case 'KV_INVALID_NAMESPACE':
    case 'KV_INVALID_VALUE':
      return 422;
    case 'KV_VALUE_TOO_LARGE':
      return 413;
    case 'KV_KEY_EXISTS':
      return 409;
    case 'KV_KEY_NOT_FOUND':
      return 404;
    default:
      return assertNever(code);
  }
}

/** What an error becomes on the wire: a status, Kestra's `message` and its `_embedded.errors`. */
export type ErrorReply = {
  status: ContentfulStatusCode;
  message: string;
  errors: readonly ErrorDetail[];
  /** `BulkErrorResponse.invalids` of a bulk operation: each item it could not act on, with the reason. */
  invalids?: Readonly<Record<string, string>>;
};

/**
 * The only place that picks a status: domain errors by their code, the
 * executor's and the KV store's typed errors by theirs, Hono's own
 * `HTTPException` (a malformed body it read) as it says; anything else is
 * `undefined`, a 500 whose details stay in the log.
 *
 * @example
 * toErrorReply(new NotFoundError('execution', 'x')); // { status: 404, message: 'Not Found: Unable to find execution x', errors: [] }
 */
export function toErrorReply(err: unknown): ErrorReply | undefined {
  if (err instanceof BulkInvalidError)
    return { status: statusOf(err.code), message: err.message, errors: err.details, invalids: err.invalids };
  if (err instanceof DomainError)
    return { status: statusOf(err.code), message: err.message, errors: err.details };
  if (err instanceof InvalidInputsError)
    return {
      status: 422,
      message: err.message,
      errors: err.issues.map((i) => ({ message: i.message, path: `inputs.${i.input}` })),
    };
  if (err instanceof FlowNotFoundError) return { status: 404, message: err.message, errors: [] };
  if (err instanceof KvError)
    return {
      status: kvStatusOf(err.code),
      message: err.message,
      errors: [{ message: err.message, path: err.key !== undefined ? 'key' : 'namespace' }],
    };
  if (err instanceof HTTPException)
    return { status: err.status as ContentfulStatusCode, message: err.message || 'Bad Request', errors: [] };
  return undefined;
}

/**
 * Hono's `onError` for the instance, in the instance's dialect: on 1.3,
 * Kestra's error JSON (`message`, `_links.self`, `_embedded.errors[{message,
 * path}]` when there are details); on 2.0, RFC 9457 `application/problem+json`
 * (`problem-json.ts`). Unknown errors are logged and answered 500 without
 * their details (on 2.0 with a `traceId` that the log line carries too).
 */
export function makeOnError(logger: Logger) {
  return (err: Error, c: Context) => {
    let reply = toErrorReply(err);
    let traceId: string | undefined;
    if (reply === undefined) {
      traceId = randomUUID();
      logger.error({ err, path: c.req.path, traceId }, 'unhandled error');
      reply = { status: 500, message: 'Internal server error', errors: [] };
    }
    if (dialectOf(c) === '2.0')
      return problemResponse(
        c,
        reply.status,
        problemBody(reply.status, reply.message, reply.errors, c.req.path, {
          ...(reply.invalids ? { invalids: reply.invalids } : {}),
          ...(traceId ? { traceId } : {}),
          filters: err instanceof InvalidQueryFiltersError,
        }),
      );
    const body: Record<string, unknown> = {
      message: reply.message,
      _links: { self: { href: c.req.path, templated: false } },
    };
    if (reply.errors.length > 0) body._embedded = { errors: reply.errors };
    if (reply.invalids) body.invalids = reply.invalids;
    return c.json(body, reply.status);
  };
}

/** The instance's answer to a path no route serves: Kestra's 404 of the instance's dialect. */
export function notFoundReply(c: Context): Response {
  const message = `Not Found: no route for ${c.req.method} ${c.req.path}`;
  if (dialectOf(c) === '2.0') return problemResponse(c, 404, problemBody(404, message, [], c.req.path));
  return c.json({ message }, 404);
}
