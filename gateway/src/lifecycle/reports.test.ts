import { describe, expect, it } from 'vitest';
import { InstanceManager } from './instance-manager.js';
import { isQuiet } from './reports.js';
import { lifecycleKit, ManualClock } from './testing/lifecycle-kit.js';

describe('isQuiet', () => {
  it('is quiet when not busy and no stream is open', () => {
    const report = { busy: false, activeStreams: 0, pendingExecutions: 0, nextWakeAt: null };
    expect(isQuiet(report)).toBe(true);
    expect(isQuiet({ ...report, busy: true })).toBe(false);
    expect(isQuiet({ ...report, activeStreams: 1 })).toBe(false);
  });
});

describe('Reports: the stoppable rule', () => {
  async function setup() {
    const clock = new ManualClock();
    const kit = lifecycleKit({ now: clock.now, wakeLeadMs: 2_000 });
    const manager = new InstanceManager(kit.options);
    (await manager.acquire('acme')).release();
    // A start measured on the manual clock took 0 ms: "soon" is lead 2 s + 2 × 0 + 1 s.
    expect((await kit.registry.instances.get('acme')).lastStartMs).toBe(0);
    const wakeIn = (ms: number) => {
      kit.probe.report_ = { ...kit.probe.report_, nextWakeAt: new Date(clock.ms + ms).toISOString() };
    };
    return { ...kit, clock, manager, wakeIn };
  }

  it('keeps an instance whose wake is due before it could be started again, on the injected clock', async () => {
    const { driver, manager, wakeIn } = await setup();
    wakeIn(2_999);
    expect(await manager.drainIfIdle('acme', 0, 5)).toBe(false);
    expect((await manager.view('acme')).state).toBe('running');
    wakeIn(3_000);
    expect(await manager.drainIfIdle('acme', 0, 5)).toBe(true);
    expect(driver.stops).toEqual(['acme']);
  });

  it('measures idleness on the injected clock', async () => {
    const { clock, manager } = await setup();
    expect(await manager.drainIfIdle('acme', 60_000, 5)).toBe(false);
    clock.advance(59_999);
    expect(await manager.drainIfIdle('acme', 60_000, 5)).toBe(false);
    clock.advance(1);
    expect(await manager.drainIfIdle('acme', 60_000, 5)).toBe(true);
  });

  it('keeps an instance that does not answer its report, and finds out whether it died', async () => {
    const { driver, probe, manager } = await setup();
    probe.report = () => Promise.reject(new Error('connection refused'));
    expect(await manager.drainIfIdle('acme', 0, 5)).toBe(false);
    expect((await manager.view('acme')).state).toBe('running');
    driver.crash('acme');
    expect(await manager.refreshReport('acme')).toBeUndefined();
    expect((await manager.view('acme')).state).toBe('stopped');
    expect((await manager.view('acme')).lastError).toMatch(/connection refused/);
  });
});

describe('Reports: refresh', () => {
  it('resolves undefined, never rejects, when the instance and the runtime both fail to answer (engine restart, issue 19)', async () => {
    // The reaper polls refresh with `void`: a rejection here was an unhandled rejection, which ends a Node process.
    const kit = lifecycleKit();
    const manager = new InstanceManager(kit.options);
    (await manager.acquire('acme')).release();
    kit.probe.report = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    kit.driver.inspect = async () => {
      throw new Error('connect ENOENT /var/run/docker.sock');
    };
    await expect(manager.refreshReport('acme')).resolves.toBeUndefined();
    expect(manager.state('acme')).toBe('running');
  });
});
