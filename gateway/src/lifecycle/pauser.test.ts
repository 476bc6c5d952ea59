import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { evictionCandidates } from './evictor.js';
import { IdleReaper } from './idle-reaper.js';
import { InstanceManager } from './instance-manager.js';
import type { Slot } from './slot-table.js';
import { lifecycleKit, ManualClock } from './testing/lifecycle-kit.js';
import { WakeScheduler } from './wake-scheduler.js';

/** The lifecycle's paused tier over the fake driver; the real runtimes are in test/e2e/paused-tier.test.ts. */
describe('paused tier', () => {
  async function setup(maxRunning = 10) {
    const clock = new ManualClock();
    const kit = lifecycleKit({ now: clock.now, maxRunning });
    const manager = new InstanceManager(kit.options);
    (await manager.acquire('acme')).release();
    return { ...kit, clock, manager };
  }

  it('pauses only after the pause delay, with nothing in flight and a quiet report', async () => {
    const { clock, driver, manager, probe } = await setup();
    clock.advance(999);
    expect(await manager.pauseIfIdle('acme', 1_000)).toBe(false);
    clock.advance(1);
    const lease = await manager.acquire('acme');
    clock.advance(5_000);
    expect(await manager.pauseIfIdle('acme', 1_000)).toBe(false);
    lease.release();
    clock.advance(1_000);
    probe.report_ = { ...probe.report_, busy: true };
    expect(await manager.pauseIfIdle('acme', 1_000)).toBe(false);
    probe.report_ = { ...probe.report_, busy: false, activeStreams: 1 };
    expect(await manager.pauseIfIdle('acme', 1_000)).toBe(false);
    probe.report_ = { ...probe.report_, activeStreams: 0 };
    expect(await manager.pauseIfIdle('acme', 1_000)).toBe(true);
    expect(manager.state('acme')).toBe('paused');
    expect(driver.paused.has('acme')).toBe(true);
  });

  it('a request resumes a paused instance (one resume for concurrent requests), no new start', async () => {
    const { clock, driver, manager, metrics } = await setup();
    clock.advance(2_000);
    await manager.pauseIfIdle('acme', 1_000);
    const leases = await Promise.all([
      manager.acquire('acme'),
      manager.acquire('acme'),
      manager.acquire('acme'),
    ]);
    for (const lease of leases) lease.release();
    expect(manager.state('acme')).toBe('running');
    expect(driver.paused.has('acme')).toBe(false);
    expect(driver.starts).toHaveLength(1);
    expect((await metrics.resumes.get()).values).toEqual([
      expect.objectContaining({ labels: { reason: 'request' }, value: 1 }),
    ]);
  });

  it('a due wake time resumes a paused instance', async () => {
    const { clock, driver, manager, registry, options } = await setup();
    clock.advance(2_000);
    await manager.pauseIfIdle('acme', 1_000);
    const wakes = new WakeScheduler({ ...options, manager, leadMs: 100, now: clock.now });
    await registry.wakeTimers.set('acme', new Date(clock.ms).toISOString(), 'sleep');
    await wakes.fire();
    wakes.close();
    await expect.poll(() => manager.state('acme')).toBe('running');
    expect(driver.paused.has('acme')).toBe(false);
    expect(driver.starts).toHaveLength(1);
  });

  it('the idle timeout stops a paused instance (thawed, drained, stopped)', async () => {
    const { clock, driver, manager } = await setup();
    const reaper = new IdleReaper({
      manager,
      logger: pino({ level: 'silent' }),
      idleTimeoutMs: 10_000,
      pauseAfterMs: 1_000,
      drainMs: 1,
    });
    clock.advance(1_500);
    reaper.tick();
    await expect.poll(() => manager.state('acme')).toBe('paused');
    clock.advance(5_000);
    reaper.tick();
    await new Promise((r) => setTimeout(r, 20));
    expect(manager.state('acme')).toBe('paused');
    clock.advance(5_000);
    reaper.tick();
    await expect.poll(() => manager.state('acme')).toBe('stopped');
    expect(driver.stops).toEqual(['acme']);
    expect(driver.paused.size).toBe(0);
  });

  it('under SILO_MAX_RUNNING, evicts a paused instance before an idle running one, even a less recently used one', async () => {
    const { clock, driver, manager } = await setup(2);
    clock.advance(1_000);
    (await manager.acquire('beta')).release();
    clock.advance(2_000);
    expect(await manager.pauseIfIdle('beta', 1_000)).toBe(true);
    (await manager.acquire('gamma')).release();
    expect(driver.stops).toEqual(['beta']);
    expect(manager.state('acme')).toBe('running');
    expect(manager.state('beta')).toBe('stopped');
  });

  it('evictionCandidates lists paused instances first, each group least recently used first', () => {
    const s = (tenantId: string, state: Slot['state'], lastActivity: number): Slot => ({
      tenantId,
      state,
      lastActivity,
      inflight: 0,
      held: 0,
      heldKeyless: 0,
      failures: 0,
      quickDeaths: 0,
      backoffUntil: 0,
      lastError: null,
    });
    const slots = [
      s('r1', 'running', 1),
      s('p2', 'paused', 20),
      s('r2', 'running', 2),
      s('p1', 'paused', 10),
    ];
    expect(evictionCandidates(slots, 'me', 4)?.map((x) => x.tenantId)).toEqual(['p1', 'p2', 'r1', 'r2']);
  });

  it('an admin stop of a paused instance thaws it first, then stops it', async () => {
    const { clock, driver, manager } = await setup();
    clock.advance(2_000);
    await manager.pauseIfIdle('acme', 1_000);
    await manager.stop('acme');
    expect(manager.state('acme')).toBe('stopped');
    expect(driver.paused.size).toBe(0);
  });
});
