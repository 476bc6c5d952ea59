import type { LifecycleReport } from '@silo/contracts';
import pino from 'pino';
import { createGatewayMetrics } from '../../metrics/gateway-metrics.js';
import { FakeDriver } from '../../runtime/fake/fake-driver.js';
import type { Endpoint } from '../../runtime/runtime-driver.js';
import { openSqliteRegistry } from '../../tenants/sqlite/open-sqlite-registry.js';
import type { InstanceProbe } from '../instance-probe.js';
import type { InstanceManagerOptions } from '../lifecycle-options.js';

/** A probe for lifecycle unit tests: ready from `readyAfter` (wall clock), reports `report_` or `reportFor(endpoint)`. */
export class FakeProbe implements InstanceProbe {
  report_: LifecycleReport = { busy: false, activeStreams: 0, pendingExecutions: 0, nextWakeAt: null };
  /** Per-instance reports; falls back to `report_` when it returns undefined. */
  reportFor: (endpoint: Endpoint) => LifecycleReport | undefined = () => undefined;
  readyAfter = 0;
  async ready(): Promise<boolean> {
    return Date.now() >= this.readyAfter;
  }
  async report(endpoint: Endpoint): Promise<LifecycleReport> {
    return this.reportFor(endpoint) ?? this.report_;
  }
}

/**
 * A clock that moves only when told. A start under it measures 0 ms, and a
 * readiness wait never reaches its deadline: keep the probe ready.
 */
export class ManualClock {
  constructor(public ms = Date.parse('2030-01-01T00:00:00.000Z')) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * The real lifecycle parts' collaborators for unit tests: the fake driver,
 * the fake probe, an in-memory registry with tenants acme, beta and gamma.
 *
 * @example
 * const { options, driver } = lifecycleKit({ maxRunning: 2 });
 * const manager = new InstanceManager(options);
 */
export function lifecycleKit(overrides: Partial<InstanceManagerOptions> = {}) {
  const driver = new FakeDriver();
  const probe = new FakeProbe();
  const registry = openSqliteRegistry(':memory:');
  // better-sqlite3 is synchronous: each row is written before `create` returns its Promise.
  for (const id of ['acme', 'beta', 'gamma']) void registry.tenants.create({ id });
  const metrics = createGatewayMetrics();
  const options: InstanceManagerOptions = {
    driver,
    registry,
    probe,
    metrics,
    logger: pino({ level: 'silent' }),
    startTimeoutMs: 2_000,
    holdMax: 1_000,
    maxRunning: 10,
    readyPollMs: 2,
    readyAttemptMs: 200,
    ...overrides,
  };
  return { driver, probe, registry, metrics, options };
}
