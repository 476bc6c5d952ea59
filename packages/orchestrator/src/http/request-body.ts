import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * The Node request under `@hono/node-server` (its `env.incoming`), or
 * undefined (`app.request()` in tests, another runtime).
 */
function incoming(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/**
 * The body's length as HTTP/1.1 framing states it, read from the Node
 * request's headers: 0 without `content-length` or `transfer-encoding` (RFC
 * 9112 §6.3: no body), the `content-length` without `transfer-encoding`, and
 * undefined when only reading the body tells (chunked, or not under Node).
 *
 * Asking Hono's request for its body (or `bodyLimit` for its size) makes
 * `@hono/node-server` build a full undici `Request` first, which cost more
 * than the rest of an empty POST's route (bench/RESULTS-instance.md).
 *
 * @example
 * if (declaredBodyLength(c) === 0) return {}; // nothing to read
 */
export function declaredBodyLength(c: Context): number | undefined {
  const req = incoming(c);
  if (req === undefined) return undefined;
  const { headers } = req;
  if (headers['transfer-encoding'] !== undefined) return undefined;
  const length = headers['content-length'];
  // Node's parser refuses a malformed content-length (400) before any handler runs.
  return length === undefined ? 0 : Number(length);
}
