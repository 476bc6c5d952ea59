import type { ExecutionJson, ExecutionPageJson, KestraErrorBody, LifecycleReport } from '@silo/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

let orch: TestOrchestrator;
const base = '/api/v1/main';

const flow = (value: string) => `id: opts
namespace: company.team
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: ${value}
`;

beforeEach(async () => {
  orch = await startTestOrchestrator('create-opts');
  const yaml = { 'content-type': 'application/x-yaml' };
  expect(
    (await orch.app.request(`${base}/flows`, { method: 'POST', headers: yaml, body: flow('one') })).status,
  ).toBe(200);
  const put = await orch.app.request(`${base}/flows/company.team/opts`, {
    method: 'PUT',
    headers: yaml,
    body: flow('two'),
  });
  expect(put.status).toBe(200);
});
afterEach(async () => {
  await orch.close();
});

const create = (query: string) =>
  orch.app.request(`${base}/executions/company.team/opts?${query}`, { method: 'POST' });
const get = async (id: string) =>
  (await (await orch.app.request(`${base}/executions/${id}`)).json()) as ExecutionJson;

describe('create options (SCOPE.md row 9)', () => {
  it('revision runs that revision of the flow; an unknown one is a 404, a malformed one a 400', async () => {
    const r1 = (await (await create('revision=1&wait=true')).json()) as ExecutionJson;
    expect([r1.flowRevision, r1.taskRunList[0]?.outputs?.value]).toEqual([1, 'one']);
    const cur = (await (await create('wait=true')).json()) as ExecutionJson;
    expect([cur.flowRevision, cur.taskRunList[0]?.outputs?.value]).toEqual([2, 'two']);
    expect((await create('revision=9')).status).toBe(404);
    const bad = await create('revision=abc');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as KestraErrorBody)._embedded?.errors[0]?.path).toBe('revision');
  });

  it('scheduleDate: the execution waits CREATED on a durable timer, reported as nextWakeAt, then runs', async () => {
    const at = new Date(Date.now() + 400);
    const r = await create(`scheduleDate=${encodeURIComponent(at.toISOString())}`);
    expect(r.status).toBe(200);
    const created = (await r.json()) as ExecutionJson;
    expect(created.state.current).toBe('CREATED');
    expect(created.scheduleDate).toBe(at.toISOString());
    await new Promise((res) => setTimeout(res, 100));
    expect((await get(created.id)).state.current).toBe('CREATED');
    const life = (await (await orch.app.request('/_silo/lifecycle')).json()) as LifecycleReport;
    expect(life.nextWakeAt).toBe(at.toISOString());
    const end = Date.now() + 5000;
    let e = await get(created.id);
    while (e.state.current !== 'SUCCESS' && Date.now() < end) {
      await new Promise((res) => setTimeout(res, 20));
      e = await get(created.id);
    }
    expect(e.state.current).toBe('SUCCESS');
    const running = e.state.histories.find((h) => h.state === 'RUNNING');
    expect(Date.parse(running?.date ?? '')).toBeGreaterThanOrEqual(at.getTime());
  });

  it('a scheduled execution can be killed before it starts; its timer goes with it', async () => {
    const at = new Date(Date.now() + 60_000);
    const created = (await (
      await create(`scheduleDate=${encodeURIComponent(at.toISOString())}`)
    ).json()) as ExecutionJson;
    expect(
      (await orch.app.request(`${base}/executions/${created.id}/kill`, { method: 'DELETE' })).status,
    ).toBe(202);
    const end = Date.now() + 3000;
    let e = await get(created.id);
    while (e.state.current !== 'KILLED' && Date.now() < end) {
      await new Promise((res) => setTimeout(res, 20));
      e = await get(created.id);
    }
    expect(e.state.current).toBe('KILLED');
    const life = (await (await orch.app.request('/_silo/lifecycle')).json()) as LifecycleReport;
    expect(life.nextWakeAt).toBeNull();
  });

  it('a malformed scheduleDate is a 400 naming it, and creates nothing', async () => {
    const r = await create('scheduleDate=tomorrow');
    expect(r.status).toBe(400);
    expect(((await r.json()) as KestraErrorBody)._embedded?.errors[0]?.path).toBe('scheduleDate');
    const all = (await (await orch.app.request(`${base}/executions/search`)).json()) as ExecutionPageJson;
    expect(all.total).toBe(0);
  });
});
