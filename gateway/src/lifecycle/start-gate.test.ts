import { describe, expect, it } from 'vitest';
import { StartGate } from './start-gate.js';

describe('StartGate', () => {
  it('never runs more than its limit at once, in arrival order, even as new tasks arrive', async () => {
    const gate = new StartGate(3);
    let active = 0;
    let most = 0;
    const order: number[] = [];
    const task = (i: number) =>
      gate.run(async () => {
        active++;
        most = Math.max(most, active);
        await new Promise((r) => setTimeout(r, 2 + (i % 3)));
        order.push(i);
        active--;
        return i;
      });
    const first = Array.from({ length: 10 }, (_, i) => task(i));
    await new Promise((r) => setTimeout(r, 3));
    const late = Array.from({ length: 10 }, (_, i) => task(10 + i));
    expect(await Promise.all([...first, ...late])).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
    expect(order.indexOf(19)).toBeGreaterThan(order.indexOf(9));
    expect(gate.waiting).toBe(0);
  });

  it('frees its place when a task throws; 0 means no bound', async () => {
    const gate = new StartGate(1);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
    const open = new StartGate(0);
    let active = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 50 }, () =>
        open.run(async () => {
          most = Math.max(most, ++active);
          await new Promise((r) => setTimeout(r, 2));
          active--;
        }),
      ),
    );
    expect(most).toBe(50);
  });
});

describe('StartGate auto', () => {
  it('lets in more starts as its adaptive bound grows, never more than the bound, and counts only successes', async () => {
    let clock = 0;
    const gate = new StartGate('auto', () => clock);
    const adaptive = gate.adaptive as NonNullable<typeof gate.adaptive>;
    const first = gate.limit;
    expect(first).toBeGreaterThanOrEqual(1);
    let active = 0;
    let most = 0;
    const task = () =>
      gate.run(async () => {
        most = Math.max(most, ++active);
        expect(active).toBeLessThanOrEqual(gate.limit);
        await new Promise((r) => setTimeout(r, 1));
        clock += 10; // every start takes about as long as a lone one: the bound may grow
        active--;
      });
    await Promise.all(Array.from({ length: 60 }, task));
    expect(gate.limit).toBeGreaterThan(first);
    expect(most).toBeGreaterThan(first);
    expect(gate.active).toBe(0);
    expect(gate.waiting).toBe(0);
    const floor = adaptive.floorMs;
    await expect(
      gate.run(async () => {
        clock += 1;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(adaptive.floorMs).toBe(floor);
  });
});
