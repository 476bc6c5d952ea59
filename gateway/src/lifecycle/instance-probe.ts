import { Agent, request } from 'node:http';
import {
  INSTANCE_TOKEN_HEADER,
  LIFECYCLE_PATH,
  type LifecycleReport,
  LifecycleReportSchema,
  READYZ_PATH,
} from '@silo/contracts';
import { dropIdleSockets } from '../runtime/idle-sockets.js';
import type { Endpoint } from '../runtime/runtime-driver.js';
import { LIFECYCLE_DEFAULTS } from './lifecycle-defaults.js';

/** How the lifecycle asks an instance about itself (port; HTTP in production, a fake in unit tests). */
export interface InstanceProbe {
  /** True when `/readyz` answers 200; false on any other answer or no answer. */
  ready(endpoint: Endpoint, token: string): Promise<boolean>;
  /** The lifecycle report; throws when the instance does not answer or answers nonsense. */
  report(endpoint: Endpoint, token: string): Promise<LifecycleReport>;
  /** Drops idle sockets kept to `endpoint` (its instance is being frozen: see `dropIdleSockets`). */
  forget?(endpoint: Endpoint): void;
}

export type HttpInstanceProbeOptions = {
  /** Hard bound on one readiness attempt, from queueing to the last byte. @default 1000 */
  readyAttemptMs?: number;
  /** Hard bound on one lifecycle report. @default 3000 */
  reportAttemptMs?: number;
  /** Largest lifecycle report read; a longer one fails the report with an error naming the bound. @default 1 MiB */
  reportMaxBytes?: number;
};

/**
 * Probes over HTTP with a keep-alive agent, so the 5 ms readiness poll costs
 * one small request on a warm socket, not a TCP handshake each time.
 *
 * Every attempt has a hard deadline (a timer that destroys the request), not
 * only a socket idle timeout: on a freshly published Docker port the userland
 * proxy accepts connections before the instance listens, and a request can
 * wait there, or in the agent's queue, with no socket activity to time out
 * (Node 20's `fetch` was measured to hang forever on it; see
 * `runtime/docker/wait-alive.ts`).
 *
 * @example
 * const probe = new HttpInstanceProbe();
 * if (await probe.ready(endpoint, token)) ...
 */
export class HttpInstanceProbe implements InstanceProbe {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 4 });
  readonly #readyAttemptMs: number;
  readonly #reportAttemptMs: number;
  readonly #reportMaxBytes: number;

  constructor(options: HttpInstanceProbeOptions = {}) {
    this.#readyAttemptMs = options.readyAttemptMs ?? LIFECYCLE_DEFAULTS.readyAttemptMs;
    this.#reportAttemptMs = options.reportAttemptMs ?? LIFECYCLE_DEFAULTS.reportAttemptMs;
    this.#reportMaxBytes = options.reportMaxBytes ?? 1024 * 1024;
  }

  ready(endpoint: Endpoint, token: string): Promise<boolean> {
    return this.#get(endpoint, READYZ_PATH, token, this.#readyAttemptMs, 64 * 1024).then(
      (r) => r.status === 200,
      () => false,
    );
  }

  async report(endpoint: Endpoint, token: string): Promise<LifecycleReport> {
    const r = await this.#get(endpoint, LIFECYCLE_PATH, token, this.#reportAttemptMs, this.#reportMaxBytes);
    if (r.status !== 200) throw new Error(`lifecycle report answered ${r.status}`);
    return LifecycleReportSchema.parse(JSON.parse(r.body));
  }

  forget(endpoint: Endpoint): void {
    dropIdleSockets(this.#agent, endpoint);
  }

  close(): void {
    this.#agent.destroy();
  }

  #get(
    endpoint: Endpoint,
    path: string,
    token: string,
    timeoutMs: number,
    maxBytes: number,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      // Hard deadline for the whole attempt (queue, connect, headers, body).
      const deadline = setTimeout(
        () => req.destroy(new Error(`no answer from ${endpoint.url}${path} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const settle =
        <A extends unknown[]>(fn: (...args: A) => void) =>
        (...args: A) => {
          clearTimeout(deadline);
          fn(...args);
        };
      resolve = settle(resolve);
      reject = settle(reject);
      const req = request(
        {
          ...(endpoint.socketPath
            ? { socketPath: endpoint.socketPath }
            : { host: endpoint.host, port: endpoint.port }),
          path,
          agent: this.#agent,
          headers: { [INSTANCE_TOKEN_HEADER]: token },
        },
        (res) => {
          // An instance is the tenant's code: its answer is read up to a bound, never whole.
          const tooLarge = () =>
            req.destroy(new Error(`${endpoint.url}${path} answered more than ${maxBytes} bytes: refused`));
          if (Number(res.headers['content-length']) > maxBytes) return tooLarge();
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) tooLarge();
            else chunks.push(c);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }
}
