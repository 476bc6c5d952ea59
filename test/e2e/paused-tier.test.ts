import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';

type View = { instance: { state: string; coldStarts: number; ref: string | null } };

/** The kernel's word on the instance process: `T` when stopped (frozen) by SIGSTOP. */
function processState(pid: string | null): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.charAt(stat.lastIndexOf(')') + 2);
}

const NAP = `id: nap
namespace: e2e
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT5S
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: woke up
`;

/** The paused tier with the process runtime (SIGSTOP to the instance's process group), real processes. */
describe('paused tier (process runtime)', () => {
  let t: TestGateway | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });
  const view = (id: string) => (t as TestGateway).admin<View>('GET', `/admin/v1/tenants/${id}`);
  /** Paused by the lifecycle and frozen by the kernel (the state moves before the driver's call ends). */
  const frozen = async (id: string) => {
    const { state, ref } = (await view(id)).instance;
    return state === 'paused' && processState(ref) === 'T';
  };

  it('freezes an idle instance, and a request resumes it and is answered by the same process', async () => {
    t = await startTestGateway({ env: { SILO_PAUSE_AFTER: '200ms', SILO_IDLE_TIMEOUT: '1m' } });
    const key = await t.tenant('frosty');
    const auth = { authorization: `Bearer ${key}` };
    expect((await fetch(`${t.url}/api/v1/frosty/echo`, { headers: auth })).status).toBe(200);
    const { ref } = (await view('frosty')).instance;
    await waitFor('the pause', () => frozen('frosty'), 10_000);
    const res = await fetch(`${t.url}/api/v1/frosty/echo`, { headers: auth });
    expect(res.status).toBe(200);
    expect((await view('frosty')).instance).toMatchObject({ state: 'running', ref, coldStarts: 1 });
    expect(processState(ref)).not.toBe('T');
    const metrics = await t.metrics();
    expect(metrics).toMatch(/silo_pauses_total [1-9]/);
    expect(metrics).toMatch(/silo_resumes_total\{reason="request"\} 1/);
  });

  it('a gateway that ends while an instance is paused: the next one adopts it, thawed, and it answers', async () => {
    t = await startTestGateway({ env: { SILO_PAUSE_AFTER: '200ms', SILO_IDLE_TIMEOUT: '1m' } });
    const key = await t.tenant('permafrost');
    const auth = { authorization: `Bearer ${key}` };
    expect((await fetch(`${t.url}/api/v1/permafrost/echo`, { headers: auth })).status).toBe(200);
    const { ref } = (await view('permafrost')).instance;
    await waitFor('the pause', () => frozen('permafrost'), 10_000);
    // The gateway goes away leaving its instances (as a SIGKILL or a deploy would): the instance stays frozen.
    const { dataDir } = t;
    await t.stop({ stopInstances: false, keepData: true });
    expect(processState(ref)).toBe('T');
    t = await startTestGateway({ dataDir, env: { SILO_PAUSE_AFTER: '1m', SILO_IDLE_TIMEOUT: '1m' } });
    const res = await fetch(`${t.url}/api/v1/permafrost/echo`, { headers: auth });
    expect(res.status).toBe(200);
    // The same process, adopted and thawed: no second cold start.
    expect((await view('permafrost')).instance).toMatchObject({ state: 'running', ref });
    expect(processState(ref)).not.toBe('T');
  });

  it("answers concurrent requests after a freeze longer than the instance's keep-alive timeout", async () => {
    t = await startTestGateway({ env: { SILO_PAUSE_AFTER: '200ms', SILO_IDLE_TIMEOUT: '1m' } });
    const key = await t.tenant('tundra');
    const auth = { authorization: `Bearer ${key}` };
    // Several upstream sockets kept alive by the gateway.
    const first = await Promise.all(
      Array.from({ length: 4 }, () => fetch(`${t?.url}/api/v1/tundra/echo`, { headers: auth })),
    );
    expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await waitFor('the pause', () => frozen('tundra'), 10_000);
    // Node's server keep-alive timeout is 5 s: on resume those timers are overdue and fire at once.
    await new Promise((r) => setTimeout(r, 5_500));
    const after = await Promise.all(
      Array.from({ length: 4 }, () => fetch(`${t?.url}/api/v1/tundra/echo`, { headers: auth })),
    );
    expect(after.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  it('stops a paused instance at the idle timeout; the next request starts it again', async () => {
    t = await startTestGateway({
      // The pause must come before the idle timeout: 200 ms vs 3 s leaves a loaded machine's report room.
      env: { SILO_PAUSE_AFTER: '200ms', SILO_IDLE_TIMEOUT: '3s' },
      drainMs: 50,
    });
    const key = await t.tenant('glacier');
    const auth = { authorization: `Bearer ${key}` };
    expect((await fetch(`${t.url}/api/v1/glacier/echo`, { headers: auth })).status).toBe(200);
    const { ref } = (await view('glacier')).instance;
    await waitFor('the pause', () => frozen('glacier'), 10_000);
    await waitFor(
      'the stop at the idle timeout',
      async () => (await view('glacier')).instance.state === 'stopped',
      10_000,
    );
    // Gone, or a zombie its sandbox has not reaped yet.
    let left = 'gone';
    try {
      left = processState(ref);
    } catch {}
    expect(['gone', 'Z', 'X']).toContain(left);
    expect((await fetch(`${t.url}/api/v1/glacier/echo`, { headers: auth })).status).toBe(200);
    expect((await view('glacier')).instance).toMatchObject({ state: 'running', coldStarts: 2 });
  });

  it('evicts a paused instance first under SILO_MAX_RUNNING', async () => {
    t = await startTestGateway({
      env: { SILO_PAUSE_AFTER: '300ms', SILO_IDLE_TIMEOUT: '1m', SILO_MAX_RUNNING: '2' },
    });
    const keys = { a: await t.tenant('ice-a'), b: await t.tenant('ice-b'), c: await t.tenant('ice-c') };
    const hit = (id: string, key: string) =>
      fetch(`${(t as TestGateway).url}/api/v1/${id}/echo`, { headers: { authorization: `Bearer ${key}` } });
    expect((await hit('ice-a', keys.a)).status).toBe(200);
    await waitFor('the pause of ice-a', () => frozen('ice-a'), 10_000);
    expect((await hit('ice-b', keys.b)).status).toBe(200);
    expect((await hit('ice-c', keys.c)).status).toBe(200);
    expect((await view('ice-a')).instance.state).toBe('stopped');
    expect((await view('ice-b')).instance.state).toMatch(/running|paused/);
    expect((await view('ice-c')).instance.state).toBe('running');
    expect(await t.metrics()).toMatch(/silo_evictions_total 1/);
  });

  it('a Sleep due while the instance is paused ends on time: the wake scheduler resumes it first', async () => {
    t = await startTestGateway({
      instance: 'orchestrator',
      env: { SILO_PAUSE_AFTER: '300ms', SILO_IDLE_TIMEOUT: '1m', SILO_WAKE_LEAD: '500ms' },
      reportIntervalMs: 100,
    });
    const key = await t.tenant('dozer');
    const auth = { authorization: `Bearer ${key}` };
    const deployed = await fetch(`${t.url}/api/v1/dozer/flows`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-yaml' },
      body: NAP,
    });
    expect(deployed.status).toBeLessThan(300);
    const created = await fetch(`${t.url}/api/v1/dozer/executions/e2e/nap`, {
      method: 'POST',
      headers: auth,
    });
    expect(created.status).toBeLessThan(300);
    const { id } = (await created.json()) as { id: string };
    const { ref } = (await view('dozer')).instance;
    await waitFor('the pause during the Sleep', () => frozen('dozer'), 4_000);
    // No request until the Sleep is over: only the wake scheduler may resume it (a request would).
    await waitFor(
      'the resume by the wake scheduler',
      async () => /silo_resumes_total\{reason="wake"\} [1-9]/.test(await (t as TestGateway).metrics()),
      10_000,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    const res = await fetch(`${t.url}/api/v1/dozer/executions/${id}`, { headers: auth });
    const execution = (await res.json()) as {
      state: { current: string };
      taskRunList: { taskId: string; state: { histories: { state: string; date: string }[] } }[];
    };
    expect(execution.state.current).toBe('SUCCESS');
    const nap = execution.taskRunList.find((r) => r.taskId === 'nap');
    const times = (nap?.state.histories ?? []).map((h) => Date.parse(h.date));
    const slept = Math.max(...times) - Math.min(...times);
    expect(slept).toBeGreaterThanOrEqual(5_000);
    expect(slept).toBeLessThan(6_000);
    expect((await view('dozer')).instance).toMatchObject({ ref, coldStarts: 1 });
  });
});
