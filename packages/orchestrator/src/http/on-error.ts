import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { ApiError } from './api-error.js';

/**
 * The one place that maps errors to HTTP: Kestra's error JSON
 * (`message`, `_links.self`, `_embedded.errors[{message, path}]`).
 */
export function makeOnError(logger: Logger) {
  return (err: Error, c: Context) => {
    const self = { _links: { self: { href: c.req.path, templated: false } } };
    if (err instanceof ApiError) {
      const body: Record<string, unknown> = { message: err.message, ...self };
      if (err.errors.length > 0) body._embedded = { errors: err.errors };
      return c.json(body, err.status);
    }
    if (err instanceof HTTPException) {
      return c.json({ message: err.message || 'Bad Request', ...self }, err.status);
    }
    logger.error({ err, path: c.req.path }, 'unhandled error');
    return c.json({ message: 'Internal server error', ...self }, 500);
  };
}
