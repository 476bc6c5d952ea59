import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { FlowNotFoundError, InvalidInputsError } from '../executor/engine-errors.js';
import { KvError, type KvErrorCode } from '../kv/kv-errors.js';
import { ApiError } from './api-error.js';

type ErrorEntry = { message: string; path?: string };

/**
 * The one place that maps errors to HTTP: Kestra's error JSON
 * (`message`, `_links.self`, `_embedded.errors[{message, path}]`). Typed
 * domain errors (KV, flow not found, invalid inputs) get their status here;
 * anything unknown is logged and answered 500 without its details.
 */
export function makeOnError(logger: Logger) {
  return (err: Error, c: Context) => {
    const self = { _links: { self: { href: c.req.path, templated: false } } };
    const reply = (status: ContentfulStatusCode, message: string, errors: readonly ErrorEntry[] = []) => {
      const body: Record<string, unknown> = { message, ...self };
      if (errors.length > 0) body._embedded = { errors };
      return c.json(body, status);
    };
    if (err instanceof ApiError) return reply(err.status, err.message, err.errors);
    if (err instanceof InvalidInputsError)
      return reply(
        422,
        err.message,
        err.issues.map((i) => ({ message: i.message, path: `inputs.${i.input}` })),
      );
    if (err instanceof FlowNotFoundError) return reply(404, err.message);
    if (err instanceof KvError)
      return reply(kvStatus(err.code), err.message, [
        { message: err.message, path: err.key !== undefined ? 'key' : 'namespace' },
      ]);
    if (err instanceof HTTPException) {
      return reply(err.status as ContentfulStatusCode, err.message || 'Bad Request');
    }
    logger.error({ err, path: c.req.path }, 'unhandled error');
    return reply(500, 'Internal server error');
  };
}

function kvStatus(code: KvErrorCode): 400 | 404 | 409 | 413 | 422 {
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

function assertNever(value: never): never {
  throw new Error(`unexpected error code ${String(value)}`);
}
