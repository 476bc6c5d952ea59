import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';

/**
 * Issue 7, point 2: a tenant that is stopped still runs its schedules on
 * time. A one-minute schedule on an otherwise idle tenant (process driver,
 * real orchestrator) fires three times, each within 2 s of its time, the
 * instance stopped between fires, none missed or doubled — with a gateway
 * restart between the first and the second fire. The test never calls the
 * tenant API before the end (that would wake the instance): it watches the
 * admin API only.
 */
const FLOW = `id: every-minute
namespace: e2e.schedule
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date }}"
triggers:
  - id: minute
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * *"
`;

type Exec = {
  id: string;
  state: { current: string; histories: Array<{ state: string; date: string }> };
  trigger?: { id: string; variables?: { date?: string } };
};
type TenantView = { instance: { state: string; coldStarts: number } };

describe('schedules on a tenant scaled to zero (real orchestrator)', () => {
  let t: TestGateway | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('fires a one-minute schedule three times on time, stopped between fires, across a gateway restart', async () => {
    const options = {
      instance: 'orchestrator' as const,
      env: { SILO_IDLE_TIMEOUT: '300ms' },
      drainMs: 100,
      reportIntervalMs: 100,
    };
    // Deploy early in a minute, so that the instance is stopped before the first fire.
    const second = new Date().getSeconds();
    if (second > 40) await new Promise((r) => setTimeout(r, (62 - second) * 1000));
    t = await startTestGateway(options);
    const key = await t.tenant('ticker');
    const auth = { authorization: `Bearer ${key}` };
    const deployed = await fetch(`${t.url}/api/v1/ticker/flows`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-yaml' },
      body: FLOW,
    });
    expect(deployed.status).toBeLessThan(300);

    const states: string[] = [];
    const watch = async (gw: TestGateway, until: () => boolean) => {
      while (!until()) {
        const view = await gw.admin<TenantView>('GET', '/admin/v1/tenants/ticker');
        if (states.at(-1) !== view.instance.state) states.push(view.instance.state);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const stoppedThenRunning = () => {
      // Counts the wake-ups seen: a 'stopped' followed later by 'starting' or 'running'.
      let wakes = 0;
      let sawStopped = false;
      for (const s of states) {
        if (s === 'stopped') sawStopped = true;
        else if (sawStopped && (s === 'starting' || s === 'running')) {
          wakes++;
          sawStopped = false;
        }
      }
      return wakes;
    };
    const stoppedNow = () => states.at(-1) === 'stopped';

    // First: the idle instance stops, then wakes for fire 1 and stops again.
    await watch(t, () => stoppedNow());
    await watch(t, () => stoppedThenRunning() >= 1 && stoppedNow());

    // Gateway restart between fire 1 and fire 2: the wake timer is in the registry.
    const dataDir = t.dataDir;
    await t.stop({ stopInstances: true, keepData: true });
    t = await startTestGateway({ ...options, dataDir });
    const gw = t;
    states.push('stopped');
    await watch(gw, () => stoppedThenRunning() >= 3 && stoppedNow());

    const res = await fetch(
      `${gw.url}/api/v1/ticker/executions/search?namespace=e2e.schedule&flowId=every-minute&size=100`,
      { headers: auth },
    );
    const executions = ((await res.json()) as { results: Exec[] }).results;
    const fires = executions.map((e) => Date.parse(String(e.trigger?.variables?.date)));
    expect(new Set(fires).size, 'no fire doubled').toBe(executions.length);
    expect(executions.length).toBe(3);
    const sorted = [...fires].sort((a, b) => a - b);
    expect(sorted[1]! - sorted[0]!, 'no fire missed').toBe(60_000);
    expect(sorted[2]! - sorted[1]!, 'no fire missed').toBe(60_000);
    for (const e of executions) {
      const lateMs = Date.parse(e.state.histories[0]!.date) - Date.parse(String(e.trigger?.variables?.date));
      expect(lateMs, `execution ${e.id} started ${lateMs} ms after its fire time`).toBeLessThan(2_000);
      expect(lateMs).toBeGreaterThanOrEqual(0);
      await waitFor('the execution to succeed', async () => {
        const r = await fetch(`${gw.url}/api/v1/ticker/executions/${e.id}`, { headers: auth });
        return ((await r.json()) as Exec).state.current === 'SUCCESS';
      });
    }
  }, 300_000);
});
