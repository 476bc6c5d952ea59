import { isTenantId, type WebhookTarget, webhookTarget } from '@silo/contracts';
import { BadRequestError } from '../errors.js';

/** A request path under `/api/v1/{tenant}/...`, checked for ambiguity. */
export type TenantPath = {
  /** The tenant segment as written: a tenant id or `main` (Kestra's default tenant = the caller's own). */
  segment: string;
  /**
   * Exactly `executions/webhook/{namespace}/{flowId}/{key}[/…]` with GET, POST
   * or PUT: authorised by the key in the path, not a bearer key. Any other
   * path under `executions/webhook` needs a key like every other route.
   */
  isWebhook: boolean;
  /** The webhook's parts, decoded, when `isWebhook`. */
  webhook?: WebhookTarget;
};

const API_PREFIX = '/api/v1/';

/**
 * Reads the tenant segment of a raw request target and refuses anything that
 * a proxy and an instance could read differently: encoded slashes or
 * backslashes, `.`/`..` segments (raw or percent-encoded), empty segments, and
 * a tenant segment that changes under percent-decoding or lowercasing.
 * Returns undefined for paths outside `/api/v1/`.
 *
 * @example
 * parseTenantPath('/api/v1/acme/flows?page=1'); // { segment: 'acme', isWebhook: false }
 * parseTenantPath('/api/v1/acme/..%2Fother');   // throws BadRequestError
 */
export function parseTenantPath(rawTarget: string, method = 'GET'): TenantPath | undefined {
  const q = rawTarget.indexOf('?');
  const path = q === -1 ? rawTarget : rawTarget.slice(0, q);
  if (!path.startsWith(API_PREFIX)) return undefined;
  // Without a `%`, no segment changes under decoding: the decode per segment is skipped (the common case).
  const encoded = path.includes('%');
  if ((encoded && /%2f|%5c/i.test(path)) || path.includes('\\')) {
    throw new BadRequestError('ambiguous path: encoded slashes and backslashes are refused');
  }
  const segments = path.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    let decoded = segment;
    if (encoded) {
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        throw new BadRequestError(`ambiguous path: segment ${i + 1} is not valid percent-encoding`);
      }
    }
    if (decoded === '.' || decoded === '..') {
      throw new BadRequestError('ambiguous path: "." and ".." segments are refused');
    }
    if (segment === '' && i < segments.length - 1) {
      throw new BadRequestError('ambiguous path: empty segments ("//") are refused');
    }
  }
  const segment = segments[2] ?? '';
  if (segment === '') throw new BadRequestError('missing tenant: use /api/v1/{tenant}/...');
  const normalised = (encoded ? safeDecode(segment) : segment).toLowerCase();
  if (normalised !== segment) {
    throw new BadRequestError(`ambiguous tenant segment "${segment}": write it as "${normalised}"`);
  }
  if (segment !== 'main' && !isTenantId(segment)) {
    throw new BadRequestError(`"${segment}" is not a tenant id`);
  }
  const webhook = webhookTarget(method, segments.slice(3));
  return webhook === undefined ? { segment, isWebhook: false } : { segment, isWebhook: true, webhook };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
