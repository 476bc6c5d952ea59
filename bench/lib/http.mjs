import { Agent, request } from 'node:http';

/** A fresh connection per request (cold-start samples must not reuse a socket). */
export const noKeepAlive = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
/** Warm requests reuse sockets. */
export const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One HTTP request to 127.0.0.1 with timings: `ttfbMs` is the time until the
 * response head arrived (first byte), `totalMs` until its body ended.
 * Bounded by `timeoutMs`; resolves `{ status: 0, error }` instead of throwing.
 * With `socketPath`, the request goes to that unix socket.
 */
export function timedRequest(
  url,
  { method = 'GET', headers = {}, body, agent = keepAlive, timeoutMs = 60_000, socketPath } = {},
) {
  const started = performance.now();
  return new Promise((resolve) => {
    const u = new URL(url);
    const payload = body === undefined ? undefined : Buffer.from(body);
    const req = request(
      {
        // `socketPath`: a unix socket (a process instance's), the URL then gives only the path.
        ...(socketPath ? { socketPath } : { host: u.hostname, port: u.port }),
        path: `${u.pathname}${u.search}`,
        method,
        agent,
        headers: payload ? { ...headers, 'content-length': payload.length } : headers,
      },
      (res) => {
        const ttfbMs = performance.now() - started;
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ttfbMs,
            totalMs: performance.now() - started,
          }),
        );
        res.on('error', (error) =>
          resolve({ status: 0, error: error.message, ttfbMs, totalMs: performance.now() - started }),
        );
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) =>
      resolve({ status: 0, error: error.message, ttfbMs: undefined, totalMs: performance.now() - started }),
    );
    req.end(payload);
  });
}

/** JSON request that throws on a non-2xx answer (setup steps, not measurements). */
export async function jsonRequest(url, { method = 'GET', headers = {}, body, timeoutMs = 120_000 } = {}) {
  const res = await timedRequest(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    timeoutMs,
  });
  if (res.status < 200 || res.status >= 300) {
    throw new Error(
      `${method} ${new URL(url).pathname} answered ${res.status || res.error}: ${(res.body ?? '').slice(0, 300)}`,
    );
  }
  return res.body ? JSON.parse(res.body) : undefined;
}

/** Polls `url` until it answers 2xx, bounded by `timeoutMs`. */
export async function waitForHttp(url, timeoutMs = 15_000, headers = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await timedRequest(url, { headers, timeoutMs: 1_000, agent: noKeepAlive });
    if (res.status >= 200 && res.status < 300) return;
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer 2xx within ${timeoutMs} ms (last: ${res.status || res.error})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
