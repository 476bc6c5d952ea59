import { randomBytes } from 'node:crypto';
import { InstanceUnavailableError, NotFoundError } from '../errors.js';
import type { Endpoint } from '../runtime/runtime-driver.js';
import type { Breaker } from './breaker.js';
import type { Evictor } from './evictor.js';
import type { Fleet } from './fleet.js';
import { hold, nextTurn } from './holds.js';
import { type LifecycleContext, recordFacts } from './lifecycle-options.js';
import type { Pauser } from './pauser.js';
import { waitReady } from './readiness.js';
import type { Reports } from './reports.js';
import { type Slot, stateOf } from './slot-table.js';

/** A request's hold on a ready instance; `release()` when its response (or stream, or socket) closes. */
export type Lease = { endpoint: Endpoint; token: string; release: () => void };

/**
 * Single-flight cold starts that requests join, bounded holds (SILO_HOLD_MAX,
 * SILO_START_TIMEOUT) and leases on ready instances.
 *
 * @example
 * const lease = await starter.acquire('acme');
 * try { proxy(lease.endpoint, lease.token); } finally { lease.release(); }
 */
export class Starter {
  readonly #c: LifecycleContext;
  readonly #evictor: Evictor;
  readonly #breaker: Breaker;
  readonly #reports: Reports;
  readonly #pauser: Pauser;

  constructor(
    context: LifecycleContext,
    parts: { evictor: Evictor; breaker: Breaker; reports: Reports; pauser: Pauser },
  ) {
    this.#c = context;
    this.#evictor = parts.evictor;
    this.#breaker = parts.breaker;
    this.#reports = parts.reports;
    this.#pauser = parts.pauser;
  }

  /** Waits until the tenant's instance is ready (starting it if needed); the caller is in flight until `release()`. */
  async acquire(tenantId: string, keyless = false): Promise<Lease> {
    const c = this.#c;
    const slot = c.slots.ensure(tenantId);
    slot.lastActivity = c.now();
    for (;;) {
      switch (slot.state) {
        case 'running':
          return this.#lease(slot);
        case 'paused':
          await this.#pauser.resume(slot, 'request');
          continue;
        case 'draining':
          if (slot.cancelDrain !== undefined) {
            slot.cancelDrain();
            continue;
          }
          // Nothing to wait on yields to the event loop, never loops on microtasks (that starved the gateway).
          await (slot.stopping?.catch(() => undefined) ?? nextTurn());
          continue;
        case 'starting':
          await hold(c, slot, keyless);
          continue;
        case 'failing': {
          const wait = slot.backoffUntil - c.now();
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

  /** Starts the instance now (admin `start`, wake timers); joins a start in flight. */
  async start(tenantId: string, reason: string): Promise<void> {
    const c = this.#c;
    const slot = c.slots.ensure(tenantId);
    if (slot.state === 'draining') {
      if (slot.cancelDrain) slot.cancelDrain();
      else await slot.stopping?.catch(() => undefined);
    }
    if (stateOf(slot) === 'paused') {
      slot.lastActivity = c.now();
      await this.#pauser.resume(slot, reason.startsWith('wake') ? 'wake' : 'admin');
    }
    if (stateOf(slot) === 'running') return;
    if (slot.state === 'starting' && slot.start) return slot.start;
    if (slot.state === 'failing') slot.backoffUntil = 0;
    slot.lastActivity = c.now();
    return this.#beginStart(slot, reason);
  }

  /**
   * In a fleet: claims the lease, or joins the run another gateway owns
   * (true: the slot is running, nothing to start), or adopts the run of the
   * lease it took over when it still answers (true too). False: start it.
   */
  async #joinFleet(slot: Slot, fleet: Fleet, started: number, reason: string): Promise<boolean> {
    const c = this.#c;
    const turn = await fleet.turn(slot.tenantId, started + c.startTimeoutMs);
    const run = turn.mine ? turn.adopt : turn.run;
    if (run === null) return false;
    try {
      const deadline = turn.mine
        ? Math.min(started + c.startTimeoutMs, c.now() + 2_000)
        : started + c.startTimeoutMs;
      await waitReady(c, slot.tenantId, run.endpoint, run.instanceToken, deadline);
    } catch (err) {
      if (!turn.mine) throw err;
      return false;
    }
    if (turn.mine && !(await fleet.publish(slot.tenantId, run))) return false;
    Object.assign(slot, {
      endpoint: run.endpoint,
      token: run.instanceToken,
      ref: run.ref ?? undefined,
      startedAt: c.now(),
      failures: 0,
      lastError: null,
      remote: !turn.mine,
    });
    slot.start = undefined;
    slot.lastActivity = c.now();
    c.slots.move(slot, 'running');
    c.logger.info(
      {
        tenantId: slot.tenantId,
        reason,
        ref: run.ref,
        owner: turn.mine ? fleet.gatewayId : 'another gateway',
      },
      turn.mine ? 'instance:adopted' : 'instance:joined',
    );
    void this.#reports.refresh(slot.tenantId);
    return true;
  }

  #lease(slot: Slot): Lease {
    slot.inflight++;
    this.#c.fleet?.touch(slot.tenantId);
    let released = false;
    return {
      endpoint: slot.endpoint as Endpoint,
      token: slot.token as string,
      release: () => {
        if (released) return;
        released = true;
        slot.inflight--;
        slot.lastActivity = this.#c.now();
      },
    };
  }

  #beginStart(slot: Slot, reason: string): Promise<void> {
    const c = this.#c;
    c.slots.move(slot, 'starting');
    const started = c.now();
    // Many tenants woken at once boot a few at a time (SILO_START_CONCURRENCY), not all on the same cores.
    let leaveGate: (succeeded?: boolean) => void = () => undefined;
    const run = async () => {
      const [tenant, facts, secrets] = await Promise.all([
        c.registry.tenants.get(slot.tenantId),
        c.registry.instances.get(slot.tenantId),
        c.registry.secrets.values(slot.tenantId),
      ]);
      if (tenant === undefined) throw new NotFoundError('tenant', slot.tenantId);
      slot.lastStartMs = facts.lastStartMs;
      if (c.fleet !== undefined && (await this.#joinFleet(slot, c.fleet, started, reason))) return;
      await this.#evictor.makeRoom(slot.tenantId);
      const existing = await c.driver.inspect(slot.tenantId);
      if (existing.state === 'running') await c.driver.stop(slot.tenantId, c.stopGraceMs);
      const token = randomBytes(24).toString('base64url');
      const queued = c.now();
      leaveGate = await c.startGate.enter();
      const entered = c.now();
      const endpoint = await c.driver.start({
        tenantId: slot.tenantId,
        instanceToken: token,
        kestraVersion: tenant.kestraVersion,
        limits: { ...tenant.limits, storageMb: tenant.limits?.storageMb ?? c.defaultStorageMb },
        secrets,
        logLevel: c.instanceLogLevel,
        ...(tenant.version !== null ? { version: tenant.version } : {}),
      });
      const spawned = c.now();
      // Bounded from the gate: time queued behind other starts is not the instance's slowness (a deadline
      // from `started` failed instances that booted fine after a long queue, and put their tenants in back-off).
      await waitReady(c, slot.tenantId, endpoint, token, entered + c.startTimeoutMs);
      leaveGate(true);
      const ready = c.now();
      const status = await c.driver.inspect(slot.tenantId);
      if (
        c.fleet !== undefined &&
        !(await c.fleet.publish(slot.tenantId, { endpoint, instanceToken: token, ref: status.ref ?? null }))
      ) {
        await c.driver.stop(slot.tenantId, c.stopGraceMs);
        throw new Error(
          'the instance lease was taken over during the start (fenced out): the new instance was stopped',
        );
      }
      Object.assign(slot, {
        endpoint,
        token,
        ref: status.ref,
        startedAt: ready,
        failures: 0,
        lastError: null,
        lastStartMs: ready - started,
      });
      slot.start = undefined;
      slot.lastActivity = ready;
      c.slots.move(slot, 'running');
      await recordFacts(c, slot.tenantId, {
        coldStarts: facts.coldStarts + 1,
        startedAt: new Date(ready).toISOString(),
        lastStartMs: ready - started,
        lastError: null,
      });
      const m = c.metrics;
      m.coldStarts.inc({ tenant: slot.tenantId, outcome: 'ready', reason });
      m.coldStartSeconds.observe({ phase: 'gate' }, (entered - queued) / 1000);
      m.coldStartSeconds.observe({ phase: 'driver' }, (spawned - entered) / 1000);
      m.coldStartSeconds.observe({ phase: 'spawn' }, (spawned - started) / 1000);
      m.coldStartSeconds.observe({ phase: 'ready' }, (ready - spawned) / 1000);
      m.coldStartSeconds.observe({ phase: 'total' }, (ready - started) / 1000);
      c.logger.info(
        { tenantId: slot.tenantId, reason, ms: ready - started, ref: status.ref },
        'instance:ready',
      );
      void this.#reports.refresh(slot.tenantId);
    };
    const start = run().catch(async (err: unknown) => {
      leaveGate(false);
      slot.start = undefined;
      await c.fleet?.release(slot.tenantId);
      await this.#breaker.fail(slot, `start failed: ${(err as Error).message}`);
      c.metrics.coldStarts.inc({ tenant: slot.tenantId, outcome: 'failed', reason });
      throw err;
    });
    start.catch(() => undefined);
    slot.start = start;
    return start;
  }
}
