import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';

type View = { instance: { state: string; coldStarts: number; ref: string | null } };

const FLOW = `id: keep
namespace: e2e
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: kept
`;

describe('idle stop', () => {
  let t: TestGateway | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });
  const view = (id: string) => (t as TestGateway).admin<View>('GET', `/admin/v1/tenants/${id}`);

  it('stops an idle instance and the next request wakes it with its flows and executions intact', async () => {
    t = await startTestGateway({
      instance: 'orchestrator',
      env: { SILO_IDLE_TIMEOUT: '600ms' },
      drainMs: 100,
    });
    const key = await t.tenant('sleepy');
    const auth = { authorization: `Bearer ${key}` };
    const created = await fetch(`${t.url}/api/v1/sleepy/flows`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-yaml' },
      body: FLOW,
    });
    expect(created.status).toBeLessThan(300);
    const run = await fetch(`${t.url}/api/v1/sleepy/executions/e2e/keep?wait=true`, {
      method: 'POST',
      headers: auth,
    });
    expect(run.status).toBeLessThan(300);
    const execution = (await run.json()) as { id: string; state: { current: string } };
    expect(execution.state.current).toBe('SUCCESS');

    await waitFor('the idle stop', async () => (await view('sleepy')).instance.state === 'stopped', 15_000);

    const flow = await fetch(`${t.url}/api/v1/sleepy/flows/e2e/keep`, { headers: auth });
    expect(flow.status).toBe(200);
    const again = await fetch(`${t.url}/api/v1/sleepy/executions/${execution.id}`, { headers: auth });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { state: { current: string } }).state.current).toBe('SUCCESS');
    expect((await view('sleepy')).instance).toMatchObject({ state: 'running', coldStarts: 2 });
    expect(await t.metrics()).toMatch(/silo_idle_stops_total 1/);
  });

  it('does not stop a tenant whose instance reports busy work', async () => {
    t = await startTestGateway({ env: { SILO_IDLE_TIMEOUT: '200ms' }, drainMs: 50, reportIntervalMs: 100 });
    const key = await t.tenant('busy');
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    await fetch(`${t.url}/api/v1/busy/stub/state`, { method: 'POST', headers: auth, body: '{"busy":true}' });
    const before = (await view('busy')).instance.ref;
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await view('busy')).instance).toMatchObject({ state: 'running', ref: before });
    await fetch(`${t.url}/api/v1/busy/stub/state`, { method: 'POST', headers: auth, body: '{"busy":false}' });
    await waitFor(
      'the stop once not busy',
      async () => (await view('busy')).instance.state === 'stopped',
      10_000,
    );
  });

  it('does not stop a tenant with an open stream', async () => {
    t = await startTestGateway({ env: { SILO_IDLE_TIMEOUT: '200ms' }, drainMs: 50 });
    const key = await t.tenant('streamy');
    const res = await fetch(`${t.url}/api/v1/streamy/sse?count=8&every=200`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const pid = (await view('streamy')).instance.ref;
    await res.text(); // 1.6 s of stream, well past the idle timeout
    expect((await view('streamy')).instance.ref).toBe(pid);
  });

  it('cancels the stop when traffic arrives during the drain', async () => {
    t = await startTestGateway({ env: { SILO_IDLE_TIMEOUT: '200ms' }, drainMs: 2_000 });
    const key = await t.tenant('drainy');
    const auth = { authorization: `Bearer ${key}` };
    expect((await fetch(`${t.url}/api/v1/drainy/echo`, { headers: auth })).status).toBe(200);
    const first = (await view('drainy')).instance.ref;
    await waitFor('the drain', async () => (await view('drainy')).instance.state === 'draining', 5_000);
    const during = await fetch(`${t.url}/api/v1/drainy/echo`, { headers: auth });
    expect(during.status).toBe(200);
    expect((await view('drainy')).instance.ref).toBe(first);
    expect((await view('drainy')).instance).toMatchObject({ state: 'running', coldStarts: 1 });
    expect(await t.metrics()).toMatch(/silo_drains_cancelled_total 1/);
  });
});
