import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

type Status = {
  instances: Record<string, number>;
  starts: { concurrency: 'auto' | number; limit: number; active: number; waiting: number };
};

/** Many tenants woken in the same instant through the start gate (SILO_START_CONCURRENCY), real processes. */
describe('start burst', () => {
  let t: TestGateway | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  /** Wakes every tenant with one request at once while sampling /status; returns the statuses and samples. */
  async function burst(gw: TestGateway, ids: string[]) {
    const keys = await Promise.all(ids.map((id) => gw.tenant(id)));
    const samples: Status['starts'][] = [];
    let done = false;
    const sampling = (async () => {
      for (let i = 0; i < 2_000 && !done; i++) {
        samples.push((await gw.admin<Status>('GET', '/admin/v1/status')).starts);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const statuses = await Promise.all(
      ids.map(async (id, i) => {
        const res = await fetch(`${gw.url}/api/v1/${id}/echo`, {
          headers: { authorization: `Bearer ${keys[i]}` },
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    done = true;
    await sampling;
    return { statuses, samples };
  }

  it('auto (the default): every tenant answered, each started once, the adaptive bound held', async () => {
    t = await startTestGateway();
    const ids = Array.from({ length: 12 }, (_, i) => `burst-${i}`);
    const { statuses, samples } = await burst(t, ids);
    expect(statuses).toEqual(ids.map(() => 200));
    for (const id of ids) {
      const view = await t.admin<{ instance: { state: string; coldStarts: number } }>(
        'GET',
        `/admin/v1/tenants/${id}`,
      );
      expect(view.instance).toMatchObject({ state: 'running', coldStarts: 1 });
    }
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) {
      expect(s.concurrency).toBe('auto');
      expect(s.limit).toBeGreaterThanOrEqual(1);
      expect(s.active).toBeLessThanOrEqual(s.limit);
    }
    const after = await t.admin<Status>('GET', '/admin/v1/status');
    expect(after.starts).toMatchObject({ concurrency: 'auto', active: 0, waiting: 0 });
    expect(after.instances.running).toBe(12);
  });

  it('a fixed SILO_START_CONCURRENCY: never more starts in flight than it, the rest wait their turn', async () => {
    t = await startTestGateway({ env: { SILO_START_CONCURRENCY: '2' } });
    const ids = Array.from({ length: 8 }, (_, i) => `fixed-${i}`);
    const { statuses, samples } = await burst(t, ids);
    expect(statuses).toEqual(ids.map(() => 200));
    expect(samples.every((s) => s.concurrency === 2 && s.limit === 2 && s.active <= 2)).toBe(true);
    expect(samples.some((s) => s.waiting > 0)).toBe(true);
  });
});
