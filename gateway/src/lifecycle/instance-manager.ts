import type { LifecycleReport } from '@silo/contracts';
import type { Endpoint, TenantLimits } from '../runtime/runtime-driver.js';
import { adopt } from './adoption.js';
import { Breaker } from './breaker.js';
import { Drainer } from './drainer.js';
import { Evictor } from './evictor.js';
import { type InstanceView, viewOf } from './instance-view.js';
import {
  createLifecycleContext,
  type InstanceManagerOptions,
  type LifecycleContext,
} from './lifecycle-options.js';
import { Liveness } from './liveness.js';
import { Pauser } from './pauser.js';
import { Reports } from './reports.js';
import { type Lease, Starter } from './starter.js';

export type { InstanceView } from './instance-view.js';
export type { InstanceManagerOptions } from './lifecycle-options.js';
export type { Lease } from './starter.js';

/**
 * The on-demand lifecycle of every tenant's instance (DESIGN.md): single-flight
 * cold starts that requests join, bounded holds, readiness learned by a 5 ms
 * poll, drains that traffic cancels, committed stops, a crash-loop breaker
 * with exponential back-off, LRU eviction of idle instances, and adoption of
 * instances that survived a gateway restart.
 *
 * A thin facade: the parts share one slot table (`slot-table.ts`) and one
 * clock; starts, holds and leases are in `starter.ts`, drains and stops in
 * `drainer.ts`, deaths in `liveness.ts` and `breaker.ts`, the cap in
 * `evictor.ts`, reports in `reports.ts`, adoption in `adoption.ts`.
 *
 * @example
 * const lease = await manager.acquire('acme');
 * try { proxy(lease.endpoint, lease.token); } finally { lease.release(); }
 */
export class InstanceManager {
  readonly #c: LifecycleContext;
  readonly #breaker: Breaker;
  readonly #liveness: Liveness;
  readonly #reports: Reports;
  readonly #drainer: Drainer;
  readonly #starter: Starter;
  readonly #pauser: Pauser;
  /** Called when a stored wake time changes (the wake scheduler re-arms). */
  onWakeChanged: () => void = () => undefined;

  constructor(options: InstanceManagerOptions) {
    const c = createLifecycleContext(options);
    this.#c = c;
    this.#breaker = new Breaker(c);
    this.#liveness = new Liveness(c, this.#breaker);
    this.#reports = new Reports(c, this.#liveness, () => this.onWakeChanged());
    this.#pauser = new Pauser(c, {
      reports: this.#reports,
      breaker: this.#breaker,
      liveness: this.#liveness,
    });
    this.#drainer = new Drainer(c, this.#reports, this.#pauser);
    const evictor = new Evictor(c, this.#reports, this.#drainer);
    this.#starter = new Starter(c, {
      evictor,
      breaker: this.#breaker,
      reports: this.#reports,
      pauser: this.#pauser,
    });
  }

  /**
   * Waits until the tenant's instance is ready (starting it if needed) and
   * counts the caller as in flight until `release()`. A `keyless` caller
   * (a webhook) is held in its own, smaller queue during a cold start, so
   * that keyless traffic cannot fill the tenant's own.
   */
  acquire(tenantId: string, options: { keyless?: boolean } = {}): Promise<Lease> {
    return this.#starter.acquire(tenantId, options.keyless === true);
  }

  /** Called when an instance reports webhook keys other than its last report's (the gateway stores them). */
  set onWebhookKeys(hook: (tenantId: string, hashes: string[]) => void) {
    this.#reports.onWebhookKeys = hook;
  }

  /** Starts the instance now (admin `start`, wake timers); joins a start in flight. */
  start(tenantId: string, reason = 'admin'): Promise<void> {
    return this.#starter.start(tenantId, reason);
  }

  /** Stops the instance now (admin `stop`, suspend, delete), whatever it is doing. */
  stop(tenantId: string, reason = 'admin'): Promise<void> {
    return this.#drainer.stop(tenantId, reason);
  }

  /**
   * Idle drain: `draining` for `drainMs`, cancelled by any request; then, if
   * still idle and not busy, a committed stop. Resolves to whether it stopped.
   */
  drainIfIdle(tenantId: string, idleTimeoutMs: number, drainMs: number): Promise<boolean> {
    return this.#drainer.drainIfIdle(tenantId, idleTimeoutMs, drainMs);
  }

  /** Told the endpoint of an instance being frozen (the proxy drops its idle sockets to it). */
  set onFreeze(hook: (endpoint: Endpoint) => void) {
    this.#pauser.onFreeze = hook;
  }

  /** Whether the driver has a paused tier (`pause`/`resume`). */
  get pausable(): boolean {
    return this.#pauser.supported;
  }

  /** Freezes the instance when it has been idle `pauseAfterMs` and its report is quiet (see `pauser.ts`). */
  pauseIfIdle(tenantId: string, pauseAfterMs: number): Promise<boolean> {
    return this.#pauser.pauseIfIdle(tenantId, pauseAfterMs);
  }

  /**
   * A paused instance idle for the idle timeout whose last report allows a
   * stop: thawed (so the drain asks its report as usual), then drained and
   * stopped. Resolves to whether it stopped.
   */
  async stopIfPausedIdle(tenantId: string, idleTimeoutMs: number, drainMs: number): Promise<boolean> {
    const slot = this.#c.slots.get(tenantId);
    if (slot?.state !== 'paused' || this.#c.now() - slot.lastActivity < idleTimeoutMs) return false;
    if (slot.lastReport !== undefined && !this.#reports.allowsStop(slot, slot.lastReport)) return false;
    await this.#pauser.resume(slot, 'idle-timeout');
    return this.#drainer.drainIfIdle(tenantId, idleTimeoutMs, drainMs);
  }

  /**
   * Fetches the lifecycle report of a running instance and stores its wake
   * time. Undefined when it does not answer (then checks whether it crashed).
   */
  refreshReport(tenantId: string): Promise<LifecycleReport | undefined> {
    return this.#reports.refresh(tenantId);
  }

  /** After a failed probe or proxy: when the instance is gone, it died (see `noticeExit`). */
  checkAlive(tenantId: string, why: string): Promise<void> {
    return this.#liveness.checkAlive(tenantId, why);
  }

  /**
   * The driver saw an instance die that the gateway did not stop (crash,
   * `docker kill`, OOM, a child that exited): noticed at once, not at the
   * next request. An event for an older run (another `ref`), or for an
   * instance being started or stopped by the gateway, is ignored.
   */
  noticeExit(tenantId: string, ref: string, reason: string): Promise<void> {
    return this.#liveness.noticeExit(tenantId, ref, reason);
  }

  /**
   * After the driver lost sight of its instances (engine restart): every
   * instance believed running is inspected (deaths whose events were lost),
   * then what runs now is adopted.
   */
  async resync(): Promise<string[]> {
    await this.#liveness.recheckAll('gone after the runtime reconnected');
    return this.adopt();
  }

  /**
   * Adopts instances that survived a gateway restart: same process, same
   * token; never a twin, never a busy one stopped.
   */
  adopt(): Promise<string[]> {
    return adopt(this.#c, { breaker: this.#breaker, reports: this.#reports });
  }

  /** Forgets a deleted tenant (after its instance was removed). */
  forget(tenantId: string): void {
    this.#c.slots.delete(tenantId);
  }

  /** Tenants whose instance is running (for the reaper and the lifecycle poll). */
  running(): string[] {
    return this.#c.slots
      .all()
      .filter((s) => s.state === 'running')
      .map((s) => s.tenantId);
  }

  /** The start gate now (admin `/status`): `auto` or fixed, its bound, starts in flight and waiting. */
  starts(): { concurrency: 'auto' | number; limit: number; active: number; waiting: number } {
    const gate = this.#c.startGate;
    return {
      concurrency: gate.adaptive ? 'auto' : gate.limit,
      limit: gate.limit,
      active: gate.active,
      waiting: gate.waiting,
    };
  }

  /** Tenants whose instance is paused (for the reaper). */
  paused(): string[] {
    return this.#c.slots
      .all()
      .filter((s) => s.state === 'paused')
      .map((s) => s.tenantId);
  }

  /** Instance state of a tenant, for the admin API: the live slot, and the registry's facts and wake timer. */
  async view(tenantId: string): Promise<InstanceView> {
    const [facts, wake] = await Promise.all([
      this.#c.registry.instances.get(tenantId),
      this.#c.registry.wakeTimers.get(tenantId),
    ]);
    return viewOf(this.#c.slots.get(tenantId), facts, wake);
  }

  /** The live state of a tenant's instance in this gateway, without a registry read. */
  state(tenantId: string): InstanceView['state'] {
    return this.#c.slots.get(tenantId)?.state ?? 'stopped';
  }

  /**
   * The tenant's storage: its quota (`limits.storageMb` of the tenant, else SILO_STORAGE_MB)
   * and what its instance last reported using (null before any report).
   */
  storage(tenantId: string, limits?: TenantLimits): { usedMb: number | null; limitMb: number } {
    const used = this.#c.slots.get(tenantId)?.lastReport?.storageUsedBytes;
    const limitMb = limits?.storageMb ?? this.#c.defaultStorageMb;
    return { usedMb: used === undefined ? null : Math.round((used / 1024 / 1024) * 10) / 10, limitMb };
  }

  /** What the tenant's instance last reported (`GET /_silo/lifecycle`), or undefined before any report. */
  lastReport(tenantId: string): LifecycleReport | undefined {
    return this.#c.slots.get(tenantId)?.lastReport;
  }

  /** Stops every instance (tests, `silo serve --stop-instances-on-exit`). */
  async stopAll(): Promise<void> {
    const listed = (await this.#c.driver.list()).map((s) => s.tenantId);
    const ids = new Set([...this.#c.slots.ids(), ...listed]);
    await Promise.all([...ids].map((id) => this.stop(id, 'shutdown').catch(() => undefined)));
  }
}
