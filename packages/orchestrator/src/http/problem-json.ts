import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorDetail } from '../errors.js';

/** Where Kestra 2.0 documents each problem type (docs `api-reference/problems`, CHANGES.md C.3). */
export const PROBLEM_BASE = 'https://kestra.io/docs/api-reference/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One member of a problem's `errors[]`: what is wrong, and where (query/header name or body path). */
export type ProblemError = { detail: string; path?: string; pointer?: string };

/** RFC 9457 problem details as Kestra 2.0 sends them; absent members are omitted, never `null`. */
export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: ProblemError[];
  traceId?: string;
};

/** The fixed `detail` of a 5xx: the cause stays in the log, the `traceId` finds it there. */
export const INTERNAL_ERROR_DETAIL =
  'An unexpected error occurred; the trace id identifies it in the server log.';

/**
 * Kestra 2.0's `type` suffix and `title` for a status (CHANGES.md C.3);
 * `about:blank` with the HTTP reason for the statuses Kestra has no page
 * for (501, 507), as RFC 9457 §4.2.1 says.
 */
function typeOf(status: number, message: string, filters: boolean): { type: string; title: string } {
  const k = (suffix: string, title: string) => ({ type: `${PROBLEM_BASE}${suffix}`, title });
  switch (status) {
    case 400:
      return filters || message.startsWith('Invalid query filters')
        ? k('invalid-query-filters', 'Invalid query filters')
        : k('bad-request', 'Bad request');
    case 401:
      return k('unauthenticated', 'Authentication required');
    case 403:
      return k('forbidden', 'Forbidden');
    case 404:
      return k('not-found', 'Resource not found');
    case 405:
      return k('method-not-allowed', 'Method not allowed');
    case 409:
      return k('conflict', 'Conflict');
    case 410:
      return k('resource-expired', 'Resource has expired');
    case 413:
      return k('payload-too-large', 'Payload too large');
    case 415:
      return k('unsupported-media-type', 'Unsupported media type');
    case 422:
      return k('validation-failed', 'Validation failed');
    case 429:
      return k('too-many-requests', 'Too many requests');
    case 500:
      return k('internal-error', 'Internal server error');
    case 503:
      return k('service-unavailable', 'Service unavailable');
    case 504:
      return k('timeout', 'Timeout');
    case 501:
      return { type: 'about:blank', title: 'Not Implemented' };
    case 507:
      return { type: 'about:blank', title: 'Insufficient Storage' };
    default:
      return { type: 'about:blank', title: `HTTP ${status}` };
  }
}

/** 1.3 messages start with Micronaut's reason ("Not Found: …"); 2.0's `detail` is the sentence alone. */
const REASON_PREFIX =
  /^(Not Found|Bad Request|Conflict|Unauthorized|Forbidden|Payload Too Large|Unsupported Media Type|Not Implemented|Invalid query filters|Illegal state|Internal Server Error): /;

/** A detail's path as a JSON Pointer into the body (`body.labels.0.key` → `/labels/0/key`), when it is one. */
function pointerOf(path: string | undefined): string | undefined {
  if (path === undefined || (path !== 'body' && !path.startsWith('body.'))) return undefined;
  return `/${path
    .split('.')
    .slice(1)
    .map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/')}`;
}

/**
 * The problem body of an error reply.
 *
 * @example
 * problemBody(404, 'Not Found: Unable to find execution x', [], '/api/v1/main/executions/x');
 * // { type: '…/problems/not-found', title: 'Resource not found', status: 404, detail: 'Unable to find execution x', instance: '/api/v1/main/executions/x' }
 */
export function problemBody(
  status: number,
  message: string,
  details: readonly ErrorDetail[],
  instance: string,
  extra: { invalids?: Readonly<Record<string, string>>; traceId?: string; filters?: boolean } = {},
): ProblemBody {
  const { type, title } = typeOf(status, message, extra.filters === true);
  const detail = status >= 500 && extra.traceId ? INTERNAL_ERROR_DETAIL : message.replace(REASON_PREFIX, '');
  const errors: ProblemError[] = details.map((d) => {
    const pointer = pointerOf(d.path);
    return {
      detail: d.message,
      ...(d.path !== undefined ? { path: d.path } : {}),
      ...(pointer !== undefined ? { pointer } : {}),
    };
  });
  for (const [id, reason] of Object.entries(extra.invalids ?? {})) errors.push({ detail: reason, path: id });
  return {
    type,
    title,
    status,
    detail: detail || title,
    instance,
    ...(errors.length > 0 ? { errors } : {}),
    ...(extra.traceId ? { traceId: extra.traceId } : {}),
  };
}

/** Answers `c` with a problem body and `application/problem+json`. */
export function problemResponse(c: Context, status: ContentfulStatusCode, body: ProblemBody): Response {
  return c.body(JSON.stringify(body), status, { 'content-type': PROBLEM_CONTENT_TYPE });
}
