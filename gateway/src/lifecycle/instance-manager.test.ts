import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { InstanceUnavailableError } from '../errors.js';
import { createGatewayMetrics } from '../metrics/gateway-metrics.js';
import { InstanceManager } from './instance-manager.js';
import { assertTransition, backoffMs, IllegalTransitionError } from './instance-state.js';
import { lifecycleKit } from './testing/lifecycle-kit.js';

function setup(
  options: { holdMax?: number; startTimeoutMs?: number; maxRunning?: number; startConcurrency?: number } = {},
) {
  const kit = lifecycleKit(options);
  return { ...kit, manager: new InstanceManager(kit.options) };
}

describe('instance state', () => {
  it('allows only the moves of the transitions table', () => {
    expect(() => assertTransition('acme', 'stopped', 'starting')).not.toThrow();
    expect(() => assertTransition('acme', 'stopped', 'running')).toThrow(IllegalTransitionError);
    expect(() => assertTransition('acme', 'stopped', 'running')).toThrow(/stopped → running/);
  });

  it('backs off exponentially up to a cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffMs(30)).toBe(300_000);
  });
});

describe('InstanceManager', () => {
  it('starts once for 50 concurrent requests', async () => {
    const { driver, probe, manager } = setup();
    probe.readyAfter = Date.now() + 50;
    const leases = await Promise.all(Array.from({ length: 50 }, () => manager.acquire('acme')));
    expect(driver.starts).toHaveLength(1);
    expect(new Set(leases.map((l) => l.endpoint.port)).size).toBe(1);
    expect(await manager.view('acme')).toMatchObject({ state: 'running', inflight: 50, coldStarts: 1 });
    for (const l of leases) l.release();
    expect((await manager.view('acme')).inflight).toBe(0);
  });

  it('refuses requests beyond the hold limit with a Retry-After', async () => {
    const { probe, manager } = setup({ holdMax: 3 });
    probe.readyAfter = Date.now() + 100;
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => manager.acquire('acme')));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(2);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(InstanceUnavailableError);
  });

  it('puts a failed start in back-off, then lets a start through after it', async () => {
    const { driver, manager } = setup();
    driver.failStarts = 1;
    await expect(manager.acquire('acme')).rejects.toThrow(/fake start failure/);
    expect(await manager.view('acme')).toMatchObject({ state: 'failing' });
    expect((await manager.view('acme')).lastError).toMatch(/fake start failure/);
    const inBackoff = await manager.acquire('acme').catch((e: unknown) => e);
    expect(inBackoff).toBeInstanceOf(InstanceUnavailableError);
    expect((inBackoff as InstanceUnavailableError).retryAfterSeconds).toBe(1);
    await manager.start('acme');
    expect(await manager.view('acme')).toMatchObject({ state: 'running', lastError: null });
  });

  it('drains an idle instance and a request during the drain cancels the stop', async () => {
    const { driver, manager } = setup();
    (await manager.acquire('acme')).release();
    const drained = manager.drainIfIdle('acme', 0, 200);
    await new Promise((r) => setTimeout(r, 20));
    expect((await manager.view('acme')).state).toBe('draining');
    const lease = await manager.acquire('acme');
    expect(await drained).toBe(false);
    expect((await manager.view('acme')).state).toBe('running');
    expect(driver.stops).toEqual([]);
    lease.release();
  });

  it('a request arriving while a drain asks its last report cancels the drain (the load wedge of issue 19)', async () => {
    // The drain's timer has fired and its last report is in flight: `draining`, no cancel, no stop yet. A request
    // then used to wait on `slot.stopping` (undefined) in a loop of microtasks: the event loop starved and the
    // report's answer never came (every request of the gateway timed out). It must cancel the drain instead.
    const { driver, probe, manager } = setup();
    (await manager.acquire('acme')).release();
    let asked: () => void = () => undefined;
    const reportAsked = new Promise<void>((r) => {
      asked = r;
    });
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((r) => {
      answer = r;
    });
    probe.report = async () => {
      if (manager.state('acme') === 'draining') {
        asked();
        await answered;
      }
      return probe.report_;
    };
    const drained = manager.drainIfIdle('acme', 0, 10);
    await reportAsked;
    const lease = manager.acquire('acme');
    answer();
    await lease;
    expect(await drained).toBe(false);
    expect(manager.state('acme')).toBe('running');
    expect(driver.stops).toEqual([]);
    (await lease).release();
  });

  it('never drains a busy instance or one with requests in flight', async () => {
    const { driver, probe, manager } = setup();
    const lease = await manager.acquire('acme');
    expect(await manager.drainIfIdle('acme', 0, 10)).toBe(false);
    lease.release();
    probe.report_ = { ...probe.report_, busy: true };
    expect(await manager.drainIfIdle('acme', 0, 10)).toBe(false);
    probe.report_ = { ...probe.report_, busy: false };
    expect(await manager.drainIfIdle('acme', 0, 10)).toBe(true);
    expect(driver.stops).toEqual(['acme']);
    expect((await manager.view('acme')).state).toBe('stopped');
  });

  it('stores the wake time an instance reports', async () => {
    const { probe, registry, manager } = setup();
    const wakes: number[] = [];
    manager.onWakeChanged = () => wakes.push(1);
    probe.report_ = { ...probe.report_, nextWakeAt: '2030-01-01T00:00:00.000Z', nextWakeReason: 'schedule' };
    (await manager.acquire('acme')).release();
    await manager.refreshReport('acme');
    expect(await registry.wakeTimers.get('acme')).toMatchObject({
      at: '2030-01-01T00:00:00.000Z',
      reason: 'schedule',
    });
    expect(wakes.length).toBeGreaterThan(0);
  });

  it('evicts the least recently used idle instance at the cap', async () => {
    const { driver, manager } = setup({ maxRunning: 2 });
    (await manager.acquire('acme')).release();
    await new Promise((r) => setTimeout(r, 5));
    (await manager.acquire('beta')).release();
    (await manager.acquire('gamma')).release();
    expect(driver.stops).toEqual(['acme']);
    expect((await manager.view('acme')).state).toBe('stopped');
  });

  it('marks a crashed instance stopped with the reason when a probe notices; the next request starts it', async () => {
    const { driver, manager } = setup();
    (await manager.acquire('acme')).release();
    driver.crash('acme');
    await manager.checkAlive('acme', 'connection refused');
    expect((await manager.view('acme')).state).toBe('stopped');
    expect((await manager.view('acme')).lastError).toMatch(/exited unexpectedly.*connection refused/);
    (await manager.acquire('acme')).release();
    expect(driver.starts).toHaveLength(2);
  });

  it('takes a death reported by the driver at once, ignoring stale runs and its own stops', async () => {
    const { driver, manager } = setup();
    (await manager.acquire('acme')).release();
    const ref = (await manager.view('acme')).ref as string;
    await manager.noticeExit('acme', 'some-older-run', 'exit code 1');
    expect((await manager.view('acme')).state).toBe('running');
    driver.crash('acme');
    await manager.noticeExit('acme', ref, 'container abc died: exit code 137');
    expect(await manager.view('acme')).toMatchObject({ state: 'stopped', ref: null });
    expect((await manager.view('acme')).lastError).toMatch(/exit code 137/);
    // A stop by the gateway, then its event: nothing to do.
    (await manager.acquire('beta')).release();
    const betaRef = (await manager.view('beta')).ref as string;
    await manager.stop('beta');
    await manager.noticeExit('beta', betaRef, 'exit code 0');
    expect(await manager.view('beta')).toMatchObject({ state: 'stopped', lastError: null });
  });

  it('trips the breaker when the instance keeps dying soon after its start', async () => {
    const { driver, manager } = setup();
    for (let i = 1; i <= 3; i++) {
      (await manager.acquire('acme')).release();
      const ref = (await manager.view('acme')).ref as string;
      driver.crash('acme');
      await manager.noticeExit('acme', ref, 'exit code 1');
    }
    const view = await manager.view('acme');
    expect(view.state).toBe('failing');
    expect(view.lastError).toMatch(/crash loop: .*3 times in a row/);
    await expect(manager.acquire('acme')).rejects.toMatchObject({ retryAfterSeconds: expect.any(Number) });
  });

  it('re-checks what it believed running after the runtime reconnects', async () => {
    const { driver, manager } = setup();
    (await manager.acquire('acme')).release();
    driver.crash('acme');
    await manager.resync();
    expect((await manager.view('acme')).state).toBe('stopped');
  });

  it('bounds each readiness attempt: a probe that never answers costs one attempt, not the start', async () => {
    const { probe, manager } = setup({ startTimeoutMs: 1_500 });
    let calls = 0;
    probe.ready = () => {
      calls++;
      // The first attempt hangs forever (a silent userland proxy); the next ones answer.
      return calls === 1 ? new Promise<boolean>(() => undefined) : Promise.resolve(true);
    };
    const t0 = Date.now();
    (await manager.acquire('acme')).release();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it('bounds readiness from the start gate: a start queued longer than the start timeout still comes up', async () => {
    const { driver, manager } = setup({ startTimeoutMs: 400, startConcurrency: 1 });
    driver.startDelayMs = 200; // one at a time: gamma enters the gate after ≥ 400 ms in the queue
    await Promise.all(['acme', 'beta', 'gamma'].map((id) => manager.start(id, 'wake')));
    for (const id of ['acme', 'beta', 'gamma'])
      expect(await manager.view(id)).toMatchObject({ state: 'running', lastError: null });
    expect(driver.starts).toHaveLength(3);
  });

  it('adopts what the driver reports running instead of starting a twin', async () => {
    const first = setup();
    (await first.manager.acquire('acme')).release();
    const second = new InstanceManager({
      driver: first.driver,
      registry: first.registry,
      probe: first.probe,
      metrics: createGatewayMetrics(),
      logger: pino({ level: 'silent' }),
      startTimeoutMs: 1_000,
      holdMax: 10,
      maxRunning: 10,
    });
    expect(await second.adopt()).toEqual(['acme']);
    (await second.acquire('acme')).release();
    expect(first.driver.starts).toHaveLength(1);
  });
});
