import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from './instance-state.js';
import { clearRun, isLive, SlotTable } from './slot-table.js';
import { lifecycleKit, ManualClock } from './testing/lifecycle-kit.js';

function setup() {
  const clock = new ManualClock();
  const kit = lifecycleKit();
  const slots = new SlotTable({ ...kit.options, now: clock.now });
  const running = async () => (await kit.metrics.runningInstances.get()).values[0]?.value;
  return { ...kit, clock, slots, running };
}

describe('SlotTable', () => {
  it('creates a stopped slot on first use, on the injected clock, without reading the registry', () => {
    const { clock, slots } = setup();
    expect(slots.get('acme')).toBeUndefined();
    const slot = slots.ensure('acme');
    expect(slot).toMatchObject({
      tenantId: 'acme',
      state: 'stopped',
      lastActivity: clock.ms,
      inflight: 0,
      lastError: null,
    });
    expect(slots.ensure('acme')).toBe(slot);
    expect(slots.ids()).toEqual(['acme']);
    slots.delete('acme');
    expect(slots.all()).toEqual([]);
  });

  it('moves only along the transitions table and counts running and draining instances', async () => {
    const { slots, running } = setup();
    const acme = slots.ensure('acme');
    const beta = slots.ensure('beta');
    expect(() => slots.move(acme, 'running')).toThrow(IllegalTransitionError);
    expect(acme.state).toBe('stopped');
    slots.move(acme, 'starting');
    expect(await running()).toBe(0);
    slots.move(acme, 'running');
    slots.move(beta, 'starting');
    slots.move(beta, 'running');
    slots.move(beta, 'draining');
    expect(await running()).toBe(2);
    slots.move(beta, 'stopped');
    expect(await running()).toBe(1);
  });

  it('keeps its per-state counts and the paused gauge right through moves and deletes', async () => {
    const { slots, running, metrics } = setup();
    const paused = async () => (await metrics.pausedInstances.get()).values[0]?.value;
    const ids = ['a', 'b', 'c'];
    for (const id of ids) {
      const slot = slots.ensure(id);
      slots.move(slot, 'starting');
      slots.move(slot, 'running');
    }
    slots.move(slots.ensure('b'), 'paused');
    slots.move(slots.ensure('c'), 'paused');
    expect([slots.count('running'), slots.count('paused'), slots.count('stopped')]).toEqual([1, 2, 0]);
    expect([await running(), await paused()]).toEqual([1, 2]);
    slots.delete('c');
    slots.delete('nobody');
    expect([await running(), await paused()]).toEqual([1, 1]);
    slots.ensure('d');
    expect(slots.count('stopped')).toBe(1);
    expect(slots.all().length).toBe(3);
  });

  it('calls a slot live when running or draining with no stop by the gateway under way', () => {
    const { slots } = setup();
    const slot = slots.ensure('acme');
    expect(isLive(slot)).toBe(false);
    slots.move(slot, 'starting');
    expect(isLive(slot)).toBe(false);
    slots.move(slot, 'running');
    expect(isLive(slot)).toBe(true);
    slots.move(slot, 'draining');
    expect(isLive(slot)).toBe(true);
    slot.stopping = Promise.resolve();
    expect(isLive(slot)).toBe(false);
  });

  it('forgets the run a slot pointed to', () => {
    const { slots } = setup();
    const slot = slots.ensure('acme');
    Object.assign(slot, {
      endpoint: { url: 'http://127.0.0.1:1', host: '127.0.0.1', port: 1 },
      token: 't',
      ref: 'r',
    });
    clearRun(slot);
    expect([slot.endpoint, slot.token, slot.ref]).toEqual([undefined, undefined, undefined]);
  });
});
