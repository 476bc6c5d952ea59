import { describe, expect, it } from 'vitest';
import { InstanceUnavailableError } from '../errors.js';
import { evictionCandidates } from './evictor.js';
import { InstanceManager } from './instance-manager.js';
import type { InstanceState } from './instance-state.js';
import type { Slot } from './slot-table.js';
import { lifecycleKit, ManualClock } from './testing/lifecycle-kit.js';

function slot(tenantId: string, state: InstanceState, lastActivity: number, inflight = 0): Slot {
  return {
    tenantId,
    state,
    lastActivity,
    inflight,
    held: 0,
    heldKeyless: 0,
    failures: 0,
    quickDeaths: 0,
    backoffUntil: 0,
    lastError: null,
  };
}

describe('evictionCandidates', () => {
  it('finds no need to evict under the cap; stopped and failing instances and the starter itself do not count', () => {
    const slots = [
      slot('a', 'running', 1),
      slot('b', 'stopped', 2),
      slot('c', 'failing', 3),
      slot('me', 'starting', 4),
    ];
    expect(evictionCandidates(slots, 'me', 2)).toBeUndefined();
  });

  it('at the cap, offers the running instances with nothing in flight, least recently used first', () => {
    const slots = [
      slot('recent', 'running', 30),
      slot('busy', 'running', 5, 1),
      slot('oldest', 'running', 10),
      slot('draining', 'draining', 1),
      slot('starting', 'starting', 2),
      slot('middle', 'running', 20),
    ];
    expect(evictionCandidates(slots, 'me', 7)).toBeUndefined();
    expect(evictionCandidates(slots, 'me', 6)?.map((s) => s.tenantId)).toEqual([
      'oldest',
      'middle',
      'recent',
    ]);
  });

  it('at the cap with nothing idle, offers nobody', () => {
    expect(evictionCandidates([slot('a', 'running', 1, 2), slot('b', 'starting', 2)], 'me', 2)).toEqual([]);
  });
});

describe('Evictor', () => {
  async function setup() {
    const clock = new ManualClock();
    const kit = lifecycleKit({ now: clock.now, maxRunning: 2 });
    const manager = new InstanceManager(kit.options);
    (await manager.acquire('acme')).release();
    clock.advance(1_000);
    (await manager.acquire('beta')).release();
    clock.advance(1_000);
    const busy = new Set<number>();
    kit.probe.reportFor = (endpoint) =>
      busy.has(endpoint.port) ? { ...kit.probe.report_, busy: true } : undefined;
    const portOf = async (id: string) => (await kit.driver.inspect(id)).endpoint?.port as number;
    return { ...kit, manager, busy, portOf };
  }

  it('skips a least recently used instance that reports busy and evicts the next', async () => {
    const { driver, manager, busy, portOf } = await setup();
    busy.add(await portOf('acme'));
    (await manager.acquire('gamma')).release();
    expect(driver.stops).toEqual(['beta']);
    expect((await manager.view('acme')).state).toBe('running');
    expect((await manager.view('beta')).state).toBe('stopped');
  });

  it('never evicts an instance with a request in flight', async () => {
    const { driver, manager } = await setup();
    const lease = await manager.acquire('acme');
    (await manager.acquire('gamma')).release();
    expect(driver.stops).toEqual(['beta']);
    lease.release();
  });

  it('refuses the start with a Retry-After when every instance is busy', async () => {
    const { driver, manager, busy, portOf, metrics } = await setup();
    busy.add(await portOf('acme'));
    busy.add(await portOf('beta'));
    const err = await manager.acquire('gamma').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstanceUnavailableError);
    expect((err as Error).message).toMatch(/2 instances run \(SILO_MAX_RUNNING\) and none is idle/);
    expect(driver.stops.filter((id) => id !== 'gamma')).toEqual([]);
    expect((await metrics.evictions.get()).values[0]?.value ?? 0).toBe(0);
  });
});
