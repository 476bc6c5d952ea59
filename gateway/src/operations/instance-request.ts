import { type IncomingMessage, request } from 'node:http';
import { INSTANCE_TOKEN_HEADER } from '@silo/contracts';
import type { Endpoint } from '../runtime/runtime-driver.js';

/**
 * One request to a tenant's instance with its token, over TCP or the unix
 * socket of a sandboxed process instance (`fetch` cannot reach a socket).
 * Resolves with the response stream once its headers arrived.
 *
 * @example
 * const res = await instanceRequest(lease.endpoint, lease.token, 'POST', SNAPSHOT_PATH, 30 * 60_000);
 */
export function instanceRequest(
  endpoint: Endpoint,
  token: string,
  method: string,
  path: string,
  timeoutMs: number,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({
      method,
      path,
      headers: { [INSTANCE_TOKEN_HEADER]: token },
      timeout: timeoutMs,
      ...(endpoint.socketPath
        ? { socketPath: endpoint.socketPath }
        : { host: endpoint.host, port: endpoint.port }),
    });
    req.on('response', resolve);
    req.on('timeout', () =>
      req.destroy(new Error(`the instance did not answer ${method} ${path} within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** The whole body of a response as text (small answers only). */
export async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
