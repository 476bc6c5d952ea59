import type {
  Endpoint,
  InstanceStatus,
  ReconcileSummary,
  RuntimeDriver,
  RuntimeEvent,
  StartRequest,
} from '../runtime-driver.js';

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
  /** How many times `reconcile` ran. */
  reconciles = 0;
  /** Tenants whose instance is paused now. */
  readonly paused = new Set<string>();
  readonly #running = new Map<string, { endpoint: Endpoint; token: string; ref: string }>();
  readonly #listeners = new Set<(event: RuntimeEvent) => void>();
  #nextPort = 40_000;

  watch(listener: (event: RuntimeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Delivers a runtime event to the watchers (an engine reconnect, say). */
  emit(event: RuntimeEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  async reconcile(
    knownTenants: () => Promise<Iterable<string>> | Iterable<string>,
  ): Promise<ReconcileSummary> {
    this.reconciles++;
    const known = new Set(await knownTenants());
    const ids = [...this.#running.keys()];
    return {
      running: ids.filter((id) => known.has(id)),
      removed: [],
      orphans: ids.filter((id) => !known.has(id)),
    };
  }

  /** Simulates a death the driver sees: the instance vanishes and watchers hear `instance:exited`. */
  kill(tenantId: string, exitCode = 137): void {
    const ref = this.#running.get(tenantId)?.ref;
    this.#running.delete(tenantId);
    if (ref === undefined) return;
    this.emit({
      type: 'instance:exited',
      tenantId,
      ref,
      exitCode,
      reason: `exit code ${exitCode}`,
      at: new Date(),
    });
  }

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
    this.paused.delete(tenantId);
  }

  async pause(tenantId: string): Promise<void> {
    if (!this.#running.has(tenantId)) throw new Error(`instance of ${tenantId} is not running`);
    this.paused.add(tenantId);
  }

  async resume(tenantId: string): Promise<void> {
    this.paused.delete(tenantId);
  }

  async remove(tenantId: string): Promise<void> {
    this.#running.delete(tenantId);
  }

  /** Simulates a crash nobody reports (an event lost): the instance vanishes without the gateway stopping it. */
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
