import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { RuntimeDriver } from '../runtime/runtime-driver.js';
import type { InstanceFactsPatch } from '../tenants/instance-fact-store.js';
import type { Registry } from '../tenants/registry.js';
import type { Fleet } from './fleet.js';
import type { InstanceProbe } from './instance-probe.js';
import { LIFECYCLE_DEFAULTS } from './lifecycle-defaults.js';
import { SlotTable } from './slot-table.js';
import { type StartConcurrency, StartGate } from './start-gate.js';

/** The registry ports the lifecycle uses: the tenant and its secrets at start, facts and wake timers after. */
export type LifecycleRegistry = Pick<Registry, 'tenants' | 'secrets' | 'instances' | 'wakeTimers'>;

export type InstanceManagerOptions = {
  driver: RuntimeDriver;
  registry: LifecycleRegistry;
  probe: InstanceProbe;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Bound on a cold start (spawn + ready). SILO_START_TIMEOUT. */
  startTimeoutMs: number;
  /** Requests held per tenant during a cold start. SILO_HOLD_MAX. */
  holdMax: number;
  /** Storage quota (MB) of a tenant whose limits set none. SILO_STORAGE_MB. @default 1024 */
  defaultStorageMb?: number;
  /** Cold starts in flight at once; the others wait their turn (SILO_START_CONCURRENCY; 0: no bound; `auto`: adaptive). @default 'auto' */
  startConcurrency?: StartConcurrency;
  /** Cap on running instances; the least recently used idle one is evicted. SILO_MAX_RUNNING. */
  maxRunning: number;
  /** Grace given to an instance on stop before SIGKILL. @default 15000 */
  stopGraceMs?: number;
  /** Readiness poll period. @default 5 */
  readyPollMs?: number;
  /**
   * Bound on one readiness attempt, whatever the probe does: a probe that
   * never settles (a silent Docker userland proxy) costs one attempt, not the
   * start. @default 1000
   */
  readyAttemptMs?: number;
  /** Log level handed to instances. @default 'info' */
  instanceLogLevel?: string;
  /** The wake scheduler's lead (SILO_WAKE_LEAD): an instance due to wake within it plus a start is not idle-stopped. @default 2000 */
  wakeLeadMs?: number;
  /** A death within this time of the instance becoming ready counts towards a crash loop. @default 60000 */
  crashWindowMs?: number;
  /** Deaths in a row (each within `crashWindowMs` of its start) that trip the breaker. @default 3 */
  crashLoopAfter?: number;
  /** The one clock of the lifecycle (epoch ms). @default Date.now */
  now?: () => number;
  /** Several gateways on one PostgreSQL registry: leases decide who starts and stops each instance. @default undefined (alone) */
  fleet?: Fleet | undefined;
};

/** The options with every default filled in. */
export type LifecycleSettings = Required<Omit<InstanceManagerOptions, 'fleet'>> & {
  fleet: Fleet | undefined;
};

/** What every part of the lifecycle shares: the settings, the one clock, the slot table, the start gate. */
export type LifecycleContext = LifecycleSettings & { slots: SlotTable; startGate: StartGate };

/** Fills in the defaults (`LIFECYCLE_DEFAULTS`) of the options left out. */
export function resolveLifecycleOptions(o: InstanceManagerOptions): LifecycleSettings {
  const d = LIFECYCLE_DEFAULTS;
  return {
    ...o,
    stopGraceMs: o.stopGraceMs ?? d.stopGraceMs,
    readyPollMs: o.readyPollMs ?? d.readyPollMs,
    readyAttemptMs: o.readyAttemptMs ?? d.readyAttemptMs,
    instanceLogLevel: o.instanceLogLevel ?? d.instanceLogLevel,
    wakeLeadMs: o.wakeLeadMs ?? d.wakeLeadMs,
    crashWindowMs: o.crashWindowMs ?? d.crashWindowMs,
    crashLoopAfter: o.crashLoopAfter ?? d.crashLoopAfter,
    defaultStorageMb: o.defaultStorageMb ?? d.defaultStorageMb,
    startConcurrency: o.startConcurrency ?? d.startConcurrency,
    now: o.now ?? d.now,
    fleet: o.fleet,
  };
}

/** The shared context of the lifecycle's parts: the options resolved, and an empty slot table on the same clock. */
export function createLifecycleContext(options: InstanceManagerOptions): LifecycleContext {
  const settings = resolveLifecycleOptions(options);
  return { ...settings, slots: new SlotTable(settings), startGate: new StartGate(settings.startConcurrency) };
}

/**
 * Writes instance facts without failing the caller: the lifecycle goes on
 * when the registry is unreachable (PostgreSQL down), and says so in the log.
 */
export async function recordFacts(
  c: Pick<LifecycleContext, 'registry' | 'logger'>,
  tenantId: string,
  patch: InstanceFactsPatch,
): Promise<void> {
  try {
    await c.registry.instances.update(tenantId, patch);
  } catch (err) {
    c.logger.warn({ err, tenantId }, 'instance facts not recorded: registry unreachable');
  }
}
