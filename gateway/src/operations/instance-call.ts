import { request } from 'node:http';
import { INSTANCE_TOKEN_HEADER } from '@silo/contracts';
import type { Lease } from '../lifecycle/instance-manager.js';

export type InstanceAnswer = { status: number; text: string; json: () => unknown };

/**
 * One small request with a body to a tenant's instance through a lease
 * (TCP or the unix socket of a sandboxed process instance), answered as
 * text. For the gateway's own checks (the smoke check of a guarded change),
 * not for proxying: answers are read whole.
 *
 * @example
 * const res = await instanceCall(lease, 'POST', '/api/v1/acme/flows', { body: yaml, type: 'application/x-yaml' });
 */
export function instanceCall(
  lease: Pick<Lease, 'endpoint' | 'token'>,
  method: string,
  path: string,
  options: { body?: string; type?: string; timeoutMs?: number } = {},
): Promise<InstanceAnswer> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const { endpoint } = lease;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { [INSTANCE_TOKEN_HEADER]: lease.token };
    if (options.body !== undefined) {
      headers['content-type'] = options.type ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(options.body));
    }
    const req = request({
      method,
      path,
      headers,
      timeout: timeoutMs,
      ...(endpoint.socketPath
        ? { socketPath: endpoint.socketPath }
        : { host: endpoint.host, port: endpoint.port }),
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) as unknown });
      });
    });
    req.on('timeout', () =>
      req.destroy(new Error(`the instance did not answer ${method} ${path} within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
