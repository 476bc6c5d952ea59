import { nanoid } from 'nanoid';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * A request id: the client's `X-Request-Id` when it is short and plain, else a new one.
 *
 * @example
 * requestIdOf(req.headers['x-request-id']); // 'V1StGXR8_Z5jdHi6B-myT'
 */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : nanoid();
}
