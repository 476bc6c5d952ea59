import type { Endpoint, InstanceStatus, RuntimeDriver, StartRequest } from '../runtime-driver.js';

/**
 * An in-memory driver for lifecycle unit tests: records starts and stops,
 * can be told to fail the next starts. Instances "listen" on made-up ports;
 * pair it with a fake `InstanceProbe`.
 *
 * @example
 * const driver = new FakeDriver();
 * driver.failStarts = 1;
 */
export class FakeDriver implements RuntimeDriver {
  readonly name = 'fake';
  readonly starts: StartRequest[] = [];
  readonly stops: string[] = [];
  /** Number of coming starts that throw. */
  failStarts = 0;
  /** Delay of each start, ms. */
  startDelayMs = 0;
  readonly #running = new Map<string, { endpoint: Endpoint; token: string; ref: string }>();
  #nextPort = 40_000;

  async start(request: StartRequest): Promise<Endpoint> {
    this.starts.push(request);
    if (this.startDelayMs > 0) await new Promise((r) => setTimeout(r, this.startDelayMs));
    if (this.failStarts > 0) {
      this.failStarts--;
      throw new Error('fake start failure');
    }
    const port = this.#nextPort++;
    const endpoint = { url: `http://127.0.0.1:${port}`, host: '127.0.0.1', port };
    this.#running.set(request.tenantId, { endpoint, token: request.instanceToken, ref: `fake-${port}` });
    return endpoint;
  }

  async stop(tenantId: string): Promise<void> {
    this.stops.push(tenantId);
    this.#running.delete(tenantId);
  }

  async remove(tenantId: string): Promise<void> {
    this.#running.delete(tenantId);
  }

  /** Simulates a crash: the instance vanishes without the gateway stopping it. */
  crash(tenantId: string): void {
    this.#running.delete(tenantId);
  }

  async inspect(tenantId: string): Promise<InstanceStatus> {
    const r = this.#running.get(tenantId);
    if (r === undefined) return { tenantId, state: 'stopped', exitCode: 1 };
    return { tenantId, state: 'running', endpoint: r.endpoint, instanceToken: r.token, ref: r.ref };
  }

  async list(): Promise<InstanceStatus[]> {
    return Promise.all([...this.#running.keys()].map((id) => this.inspect(id)));
  }

  async logs(): Promise<string> {
    return '';
  }
}
