import { randomBytes } from 'node:crypto';
import type { LifecycleReport } from '@silo/contracts';
import type { Logger } from 'pino';
import { InstanceUnavailableError, NotFoundError } from '../errors.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { Endpoint, RuntimeDriver } from '../runtime/runtime-driver.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { InstanceProbe } from './instance-probe.js';
import { assertTransition, backoffMs, type InstanceState } from './instance-state.js';

export type InstanceManagerOptions = {
  driver: RuntimeDriver;
  registry: TenantRegistry;
  probe: InstanceProbe;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Bound on a cold start (spawn + ready). SILO_START_TIMEOUT. */
  startTimeoutMs: number;
  /** Requests held per tenant during a cold start. SILO_HOLD_MAX. */
  holdMax: number;
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
  now?: () => number;
};

/** One tenant's instance as the manager tracks it. */
type Slot = {
  tenantId: string;
  state: InstanceState;
  endpoint?: Endpoint;
  token?: string;
  ref?: string;
  startedAt?: number;
  lastActivity: number;
  /** Requests (and streams, and WebSockets) proxied right now. */
  inflight: number;
  /** Requests waiting for the current start. */
  held: number;
  start?: Promise<void>;
  /** Set when a stop is committed (no longer cancellable): requests wait for it, then start again. */
  stopping?: Promise<void>;
  /** Cancels an idle drain that has not been committed yet. */
  cancelDrain?: () => void;
  failures: number;
  /** Unexpected deaths in a row, each soon after its start (crash-loop detection). */
  quickDeaths: number;
  backoffUntil: number;
  lastError: string | null;
  lastReport?: LifecycleReport;
};

/** A request's hold on a ready instance; `release()` when its response (or stream, or socket) closes. */
export type Lease = { endpoint: Endpoint; token: string; release: () => void };

/** What the admin API shows of an instance. */
export type InstanceView = {
  state: InstanceState;
  startedAt: string | null;
  lastActivityAt: string | null;
  coldStarts: number;
  nextWakeAt: string | null;
  nextWakeReason: string | null;
  lastError: string | null;
  inflight: number;
  ref: string | null;
  backoffUntil: string | null;
  busy: boolean | null;
};

/**
 * The on-demand lifecycle of every tenant's instance (DESIGN.md): single-flight
 * cold starts that requests join, bounded holds, readiness learned by a 5 ms
 * poll, drains that traffic cancels, committed stops, a crash-loop breaker
 * with exponential back-off, LRU eviction of idle instances, and adoption of
 * instances that survived a gateway restart.
 *
 * @example
 * const lease = await manager.acquire('acme');
 * try { proxy(lease.endpoint, lease.token); } finally { lease.release(); }
 */
export class InstanceManager {
  readonly #o: InstanceManagerOptions;
  readonly #slots = new Map<string, Slot>();
  readonly #now: () => number;
  /** Called when a stored wake time changes (the wake scheduler re-arms). */
  onWakeChanged: () => void = () => undefined;

  constructor(options: InstanceManagerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  #slot(tenantId: string): Slot {
    let slot = this.#slots.get(tenantId);
    if (slot === undefined) {
      slot = {
        tenantId,
        state: 'stopped',
        lastActivity: this.#now(),
        inflight: 0,
        held: 0,
        failures: 0,
        quickDeaths: 0,
        backoffUntil: 0,
        lastError: this.#o.registry.instanceInfo(tenantId).lastError,
      };
      this.#slots.set(tenantId, slot);
    }
    return slot;
  }

  #move(slot: Slot, to: InstanceState): void {
    assertTransition(slot.tenantId, slot.state, to);
    this.#o.logger.debug({ tenantId: slot.tenantId, from: slot.state, to }, 'instance:state');
    slot.state = to;
    this.#o.metrics.runningInstances.set(
      [...this.#slots.values()].filter((s) => s.state === 'running' || s.state === 'draining').length,
    );
  }

  /**
   * Waits until the tenant's instance is ready (starting it if needed) and
   * counts the caller as in flight until `release()`.
   */
  async acquire(tenantId: string): Promise<Lease> {
    const slot = this.#slot(tenantId);
    slot.lastActivity = this.#now();
    for (;;) {
      switch (slot.state) {
        case 'running':
          return this.#lease(slot);
        case 'draining':
          if (slot.cancelDrain !== undefined) {
            slot.cancelDrain();
            continue;
          }
          await slot.stopping?.catch(() => undefined);
          continue;
        case 'starting':
          await this.#hold(slot);
          continue;
        case 'failing': {
          const wait = slot.backoffUntil - this.#now();
          if (wait > 0) {
            throw new InstanceUnavailableError(
              tenantId,
              `the instance of tenant ${tenantId} is failing and in back-off: ${slot.lastError ?? 'unknown error'}`,
              Math.max(1, Math.ceil(wait / 1000)),
            );
          }
          this.#beginStart(slot, 'request');
          continue;
        }
        case 'stopped':
          this.#beginStart(slot, 'request');
          continue;
      }
    }
  }

  #lease(slot: Slot): Lease {
    slot.inflight++;
    let released = false;
    return {
      endpoint: slot.endpoint as Endpoint,
      token: slot.token as string,
      release: () => {
        if (released) return;
        released = true;
        slot.inflight--;
        slot.lastActivity = this.#now();
      },
    };
  }

  async #hold(slot: Slot): Promise<void> {
    const start = slot.start;
    if (start === undefined) return;
    if (slot.held >= this.#o.holdMax) {
      this.#o.metrics.heldRejected.inc({ reason: 'hold_full' });
      throw new InstanceUnavailableError(
        slot.tenantId,
        `the instance of tenant ${slot.tenantId} is starting and ${this.#o.holdMax} requests already wait (SILO_HOLD_MAX)`,
        this.#retryAfter(slot),
      );
    }
    slot.held++;
    this.#o.metrics.heldRequests.inc();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.#o.startTimeoutMs);
      });
      const outcome = await Promise.race([start.then(() => 'ready' as const), timeout]);
      if (outcome === 'timeout') {
        this.#o.metrics.heldRejected.inc({ reason: 'timeout' });
        throw new InstanceUnavailableError(
          slot.tenantId,
          `the instance of tenant ${slot.tenantId} did not become ready within ${this.#o.startTimeoutMs} ms (SILO_START_TIMEOUT)`,
          this.#retryAfter(slot),
        );
      }
    } catch (err) {
      if (err instanceof InstanceUnavailableError) throw err;
      throw new InstanceUnavailableError(
        slot.tenantId,
        `the instance of tenant ${slot.tenantId} failed to start: ${(err as Error).message}`,
        Math.max(1, Math.ceil((slot.backoffUntil - this.#now()) / 1000)),
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
      slot.held--;
      this.#o.metrics.heldRequests.dec();
    }
  }

  /** `Retry-After` from the tenant's measured start time (at least 1 s). */
  #retryAfter(slot: Slot): number {
    const ms = this.#o.registry.instanceInfo(slot.tenantId).lastStartMs ?? this.#o.startTimeoutMs;
    return Math.max(1, Math.ceil(ms / 1000));
  }

  #beginStart(slot: Slot, reason: string): Promise<void> {
    this.#move(slot, 'starting');
    const started = this.#now();
    const run = async () => {
      const tenant = this.#o.registry.getTenant(slot.tenantId);
      if (tenant === undefined) throw new NotFoundError('tenant', slot.tenantId);
      await this.#makeRoom(slot.tenantId);
      const existing = await this.#o.driver.inspect(slot.tenantId);
      if (existing.state === 'running')
        await this.#o.driver.stop(slot.tenantId, this.#o.stopGraceMs ?? 15_000);
      const token = randomBytes(24).toString('base64url');
      const endpoint = await this.#o.driver.start({
        tenantId: slot.tenantId,
        instanceToken: token,
        limits: tenant.limits,
        secrets: this.#o.registry.secrets(slot.tenantId),
        logLevel: this.#o.instanceLogLevel ?? 'info',
      });
      const spawned = this.#now();
      await this.#waitReady(slot.tenantId, endpoint, token, started + this.#o.startTimeoutMs);
      const ready = this.#now();
      const status = await this.#o.driver.inspect(slot.tenantId);
      Object.assign(slot, {
        endpoint,
        token,
        ref: status.ref,
        startedAt: ready,
        failures: 0,
        lastError: null,
      });
      slot.start = undefined;
      slot.lastActivity = ready;
      this.#move(slot, 'running');
      const info = this.#o.registry.instanceInfo(slot.tenantId);
      this.#o.registry.updateInstanceInfo(slot.tenantId, {
        coldStarts: info.coldStarts + 1,
        startedAt: new Date(ready).toISOString(),
        lastStartMs: ready - started,
        lastError: null,
      });
      const m = this.#o.metrics;
      m.coldStarts.inc({ tenant: slot.tenantId, outcome: 'ready', reason });
      m.coldStartSeconds.observe({ phase: 'spawn' }, (spawned - started) / 1000);
      m.coldStartSeconds.observe({ phase: 'ready' }, (ready - spawned) / 1000);
      m.coldStartSeconds.observe({ phase: 'total' }, (ready - started) / 1000);
      this.#o.logger.info(
        { tenantId: slot.tenantId, reason, ms: ready - started, ref: status.ref },
        'instance:ready',
      );
      void this.refreshReport(slot.tenantId);
    };
    const start = run().catch(async (err: unknown) => {
      slot.start = undefined;
      await this.#fail(slot, `start failed: ${(err as Error).message}`);
      this.#o.metrics.coldStarts.inc({ tenant: slot.tenantId, outcome: 'failed', reason });
      throw err;
    });
    start.catch(() => undefined);
    slot.start = start;
    return start;
  }

  /** Marks the instance failing with back-off, stops what is left of it. */
  async #fail(slot: Slot, reason: string): Promise<void> {
    slot.failures++;
    slot.lastError = reason;
    slot.backoffUntil = this.#now() + backoffMs(slot.failures);
    slot.endpoint = undefined;
    slot.token = undefined;
    if (slot.state !== 'failing') this.#move(slot, 'failing');
    this.#o.metrics.breakerTrips.inc({ tenant: slot.tenantId });
    this.#o.registry.updateInstanceInfo(slot.tenantId, { lastError: reason });
    this.#o.logger.warn({ tenantId: slot.tenantId, reason, failures: slot.failures }, 'instance:failing');
    await this.#o.driver.stop(slot.tenantId, 1_000).catch(() => undefined);
  }

  async #waitReady(tenantId: string, endpoint: Endpoint, token: string, deadline: number): Promise<void> {
    const poll = this.#o.readyPollMs ?? 5;
    let polls = 0;
    const attemptMs = this.#o.readyAttemptMs ?? 1_000;
    while (this.#now() < deadline) {
      const bound = Math.max(1, Math.min(attemptMs, deadline - this.#now()));
      if (await withTimeout(this.#o.probe.ready(endpoint, token), bound, false)) return;
      if (++polls % 20 === 0) {
        const status = await this.#o.driver.inspect(tenantId);
        if (status.state !== 'running') {
          const tail = await this.#o.driver.logs(tenantId, { tail: 3 }).catch(() => '');
          throw new Error(
            `instance exited before it was ready (exit code ${status.exitCode ?? 'unknown'})${tail ? `: ${tail.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`,
          );
        }
      }
      await new Promise((r) => setTimeout(r, poll));
    }
    throw new Error(`not ready within ${this.#o.startTimeoutMs} ms (SILO_START_TIMEOUT)`);
  }

  /** Evicts the least recently used idle instance when the cap is reached. */
  async #makeRoom(tenantId: string): Promise<void> {
    const others = [...this.#slots.values()].filter(
      (s) => s.tenantId !== tenantId && s.state !== 'stopped' && s.state !== 'failing',
    );
    if (others.length < this.#o.maxRunning) return;
    const candidates = others
      .filter((s) => s.state === 'running' && s.inflight === 0)
      .sort((a, b) => a.lastActivity - b.lastActivity);
    for (const candidate of candidates) {
      const report = await this.refreshReport(candidate.tenantId);
      if (report === undefined || report.busy || report.activeStreams > 0) continue;
      if (candidate.state !== 'running' || candidate.inflight > 0) continue;
      this.#o.metrics.evictions.inc();
      this.#o.logger.info({ tenantId: candidate.tenantId, for: tenantId }, 'instance:evicted');
      await this.#commitStop(candidate, 'evicted');
      return;
    }
    throw new InstanceUnavailableError(
      tenantId,
      `${this.#o.maxRunning} instances run (SILO_MAX_RUNNING) and none is idle: try again later`,
      5,
    );
  }

  /**
   * Fetches the lifecycle report of a running instance and stores its wake
   * time. Undefined when it does not answer (then checks whether it crashed).
   */
  async refreshReport(tenantId: string): Promise<LifecycleReport | undefined> {
    const slot = this.#slots.get(tenantId);
    if (slot?.endpoint === undefined || slot.token === undefined) return undefined;
    try {
      const report = await this.#o.probe.report(slot.endpoint, slot.token);
      slot.lastReport = report;
      const info = this.#o.registry.instanceInfo(tenantId);
      const reason = report.nextWakeReason ?? null;
      if (info.nextWakeAt !== report.nextWakeAt || info.nextWakeReason !== reason) {
        this.#o.registry.updateInstanceInfo(tenantId, {
          nextWakeAt: report.nextWakeAt,
          nextWakeReason: reason,
        });
        this.onWakeChanged();
      }
      return report;
    } catch (err) {
      await this.checkAlive(tenantId, (err as Error).message);
      return undefined;
    }
  }

  /** After a failed probe or proxy: when the instance is gone, it died (see `noticeExit`). */
  async checkAlive(tenantId: string, why: string): Promise<void> {
    const slot = this.#slots.get(tenantId);
    if (slot === undefined || !this.#live(slot)) return;
    const ref = slot.ref;
    const status = await this.#o.driver.inspect(tenantId);
    if (status.state === 'running' && String(status.ref) === String(ref)) return;
    if (!this.#live(slot) || slot.ref !== ref) return;
    await this.#died(slot, `exit code ${status.exitCode ?? 'unknown'}; ${why}`);
  }

  /**
   * The driver saw an instance die that the gateway did not stop (crash,
   * `docker kill`, OOM, a child that exited): noticed at once, not at the
   * next request. An event for an older run (another `ref`), or for an
   * instance being started or stopped by the gateway, is ignored.
   */
  async noticeExit(tenantId: string, ref: string, reason: string): Promise<void> {
    const slot = this.#slots.get(tenantId);
    if (slot === undefined || !this.#live(slot)) return;
    if (slot.ref !== undefined && String(slot.ref) !== ref) return;
    await this.#died(slot, reason);
  }

  /**
   * After the driver lost sight of its instances (engine restart): every
   * instance believed running is inspected (deaths whose events were lost),
   * then what runs now is adopted.
   */
  async resync(): Promise<string[]> {
    await Promise.all(
      [...this.#slots.values()]
        .filter((s) => this.#live(s))
        .map((s) => this.checkAlive(s.tenantId, 'gone after the runtime reconnected').catch(() => undefined)),
    );
    return this.adopt();
  }

  /** Running or draining, and no stop by the gateway under way. */
  #live(slot: Slot): boolean {
    return (slot.state === 'running' || slot.state === 'draining') && slot.stopping === undefined;
  }

  /**
   * A death after a healthy run → stopped, with the reason in `lastError`
   * (the next request starts it again). Deaths in a row, each within
   * `crashWindowMs` of the start → failing with back-off (the breaker).
   */
  async #died(slot: Slot, reason: string): Promise<void> {
    slot.cancelDrain?.();
    const uptime = this.#now() - (slot.startedAt ?? 0);
    const window = this.#o.crashWindowMs ?? 60_000;
    slot.quickDeaths = uptime < window ? slot.quickDeaths + 1 : 1;
    const message = `instance exited unexpectedly (${reason})`;
    const loopAfter = this.#o.crashLoopAfter ?? 3;
    if (slot.quickDeaths >= loopAfter) {
      slot.failures = Math.max(slot.failures, slot.quickDeaths - loopAfter);
      await this.#fail(
        slot,
        `crash loop: ${message}, ${slot.quickDeaths} times in a row within ${Math.round(window / 1000)} s of starting`,
      );
      return;
    }
    slot.lastError = message;
    slot.endpoint = undefined;
    slot.token = undefined;
    slot.ref = undefined;
    if (stateOf(slot) === 'draining') this.#move(slot, 'running');
    this.#move(slot, 'stopped');
    this.#o.registry.updateInstanceInfo(slot.tenantId, {
      lastError: message,
      lastActivityAt: new Date(slot.lastActivity).toISOString(),
    });
    this.#o.logger.warn(
      { tenantId: slot.tenantId, reason, uptimeMs: uptime, deathsInARow: slot.quickDeaths },
      'instance:died',
    );
  }

  /**
   * Idle drain: `draining` for `drainMs`, cancelled by any request; then, if
   * still idle and not busy, a committed stop. Resolves to whether it stopped.
   */
  async drainIfIdle(tenantId: string, idleTimeoutMs: number, drainMs: number): Promise<boolean> {
    const slot = this.#slots.get(tenantId);
    if (slot === undefined || slot.state !== 'running' || slot.inflight > 0) return false;
    if (this.#now() - slot.lastActivity < idleTimeoutMs) return false;
    if (!(await this.#stoppable(slot))) return false;
    if (slot.state !== 'running' || slot.inflight > 0) return false;
    this.#move(slot, 'draining');
    const cancelled = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        slot.cancelDrain = undefined;
        resolve(false);
      }, drainMs);
      slot.cancelDrain = () => {
        clearTimeout(timer);
        slot.cancelDrain = undefined;
        if (slot.state === 'draining') this.#move(slot, 'running');
        resolve(true);
      };
    });
    if (cancelled || stateOf(slot) !== 'draining') {
      this.#o.metrics.drainsCancelled.inc();
      this.#o.logger.info({ tenantId }, 'instance:drain-cancelled');
      return false;
    }
    if (slot.inflight > 0 || !(await this.#stoppable(slot))) {
      if (stateOf(slot) === 'draining' && slot.stopping === undefined) this.#move(slot, 'running');
      this.#o.metrics.drainsCancelled.inc();
      return false;
    }
    if (stateOf(slot) !== 'draining' || slot.stopping !== undefined) return false;
    this.#o.metrics.idleStops.inc();
    await this.#commitStop(slot, 'idle');
    return true;
  }

  /** Not busy, no open stream, no wake due before it could be started again. */
  async #stoppable(slot: Slot): Promise<boolean> {
    const report = await this.refreshReport(slot.tenantId);
    if (report === undefined) return false;
    if (report.busy || report.activeStreams > 0) return false;
    if (report.nextWakeAt !== null) {
      const lastStartMs = this.#o.registry.instanceInfo(slot.tenantId).lastStartMs ?? 1_000;
      const soon = (this.#o.wakeLeadMs ?? 2_000) + lastStartMs * 2 + 1_000;
      if (Date.parse(report.nextWakeAt) - Date.now() < soon) return false;
    }
    return true;
  }

  /** A stop that no request can cancel: requests arriving now wait for it and start the instance again. */
  #commitStop(slot: Slot, reason: string): Promise<void> {
    if (slot.stopping) return slot.stopping;
    slot.cancelDrain = undefined;
    if (slot.state !== 'draining') this.#move(slot, 'draining');
    const stopping = (async () => {
      try {
        await this.#o.driver.stop(slot.tenantId, this.#o.stopGraceMs ?? 15_000);
      } finally {
        slot.endpoint = undefined;
        slot.token = undefined;
        slot.ref = undefined;
        slot.stopping = undefined;
        this.#move(slot, 'stopped');
        this.#o.registry.updateInstanceInfo(slot.tenantId, {
          lastActivityAt: new Date(slot.lastActivity).toISOString(),
        });
        this.#o.logger.info({ tenantId: slot.tenantId, reason }, 'instance:stopped');
      }
    })();
    slot.stopping = stopping;
    return stopping;
  }

  /** Starts the instance now (admin `start`, wake timers); joins a start in flight. */
  async start(tenantId: string, reason = 'admin'): Promise<void> {
    const slot = this.#slot(tenantId);
    if (slot.state === 'draining') {
      if (slot.cancelDrain) slot.cancelDrain();
      else await slot.stopping?.catch(() => undefined);
    }
    if (slot.state === 'running') return;
    if (slot.state === 'starting' && slot.start) return slot.start;
    if (slot.state === 'failing') slot.backoffUntil = 0;
    slot.lastActivity = this.#now();
    return this.#beginStart(slot, reason);
  }

  /** Stops the instance now (admin `stop`, suspend, delete), whatever it is doing. */
  async stop(tenantId: string, reason = 'admin'): Promise<void> {
    const slot = this.#slots.get(tenantId);
    if (slot === undefined) {
      await this.#o.driver.stop(tenantId, this.#o.stopGraceMs ?? 15_000);
      return;
    }
    if (slot.state === 'starting') await slot.start?.catch(() => undefined);
    if (slot.state === 'failing') {
      this.#move(slot, 'stopped');
      return;
    }
    if (slot.state === 'stopped') return;
    slot.cancelDrain = undefined;
    await this.#commitStop(slot, reason);
  }

  /** Forgets a deleted tenant (after its instance was removed). */
  forget(tenantId: string): void {
    this.#slots.delete(tenantId);
  }

  /**
   * Adopts instances that survived a gateway restart: same process, same
   * token; never a twin, never a busy one stopped.
   */
  async adopt(): Promise<string[]> {
    const adopted: string[] = [];
    for (const status of await this.#o.driver.list()) {
      if (status.state !== 'running' || !status.endpoint || !status.instanceToken) continue;
      if (this.#o.registry.getTenant(status.tenantId) === undefined) {
        this.#o.logger.warn(
          { tenantId: status.tenantId, ref: status.ref },
          'running instance of an unknown tenant left alone',
        );
        continue;
      }
      const slot = this.#slot(status.tenantId);
      if (slot.state !== 'stopped') continue;
      this.#move(slot, 'starting');
      const endpoint = status.endpoint;
      const token = status.instanceToken;
      const start = this.#waitReady(status.tenantId, endpoint, token, this.#now() + this.#o.startTimeoutMs)
        .then(() => {
          Object.assign(slot, { endpoint, token, ref: status.ref, lastActivity: this.#now() });
          slot.startedAt = status.startedAt ? Date.parse(status.startedAt) : this.#now();
          slot.start = undefined;
          this.#move(slot, 'running');
          this.#o.metrics.adoptions.inc();
          this.#o.logger.info({ tenantId: slot.tenantId, ref: status.ref }, 'instance:adopted');
          void this.refreshReport(slot.tenantId);
        })
        .catch(async (err: unknown) => {
          slot.start = undefined;
          await this.#fail(slot, `adoption failed: ${(err as Error).message}`);
          throw err;
        });
      start.catch(() => undefined);
      slot.start = start;
      adopted.push(status.tenantId);
    }
    await Promise.all(adopted.map((id) => this.#slots.get(id)?.start?.catch(() => undefined)));
    return adopted;
  }

  /** Tenants whose instance is running (for the reaper and the lifecycle poll). */
  running(): string[] {
    return [...this.#slots.values()].filter((s) => s.state === 'running').map((s) => s.tenantId);
  }

  /** Instance state of a tenant, for the admin API. */
  view(tenantId: string): InstanceView {
    const slot = this.#slots.get(tenantId);
    const info = this.#o.registry.instanceInfo(tenantId);
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    return {
      state: slot?.state ?? 'stopped',
      startedAt: slot?.state === 'running' || slot?.state === 'draining' ? iso(slot.startedAt) : null,
      lastActivityAt: slot ? iso(slot.lastActivity) : info.lastActivityAt,
      coldStarts: info.coldStarts,
      nextWakeAt: info.nextWakeAt,
      nextWakeReason: info.nextWakeReason,
      lastError: slot?.lastError ?? info.lastError,
      inflight: slot?.inflight ?? 0,
      ref: slot?.ref ?? null,
      backoffUntil: slot?.state === 'failing' ? iso(slot.backoffUntil) : null,
      busy: slot?.lastReport?.busy ?? null,
    };
  }

  /** Stops every instance (tests, `silo serve --stop-instances-on-exit`). */
  async stopAll(): Promise<void> {
    const ids = new Set([...this.#slots.keys(), ...(await this.#o.driver.list()).map((s) => s.tenantId)]);
    await Promise.all([...ids].map((id) => this.stop(id, 'shutdown').catch(() => undefined)));
  }
}

/** `promise`, or `fallback` when it has not settled within `ms` (a rejection counts as `fallback`). */
function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.catch(() => fallback),
    new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(fallback), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Reads the state without TypeScript's narrowing (it changes across awaits and callbacks). */
function stateOf(slot: { state: InstanceState }): InstanceState {
  return slot.state;
}
