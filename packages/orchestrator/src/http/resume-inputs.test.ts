import type { ExecutionJson, KestraErrorBody } from '@silo/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

let orch: TestOrchestrator;
const base = '/api/v1/main';

beforeEach(async () => {
  orch = await startTestOrchestrator('resume');
  const r = await orch.app.request(`${base}/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-yaml' },
    body: FLOW,
  });
  expect(r.status, await r.clone().text()).toBe(200);
});
afterEach(async () => {
  await orch.close();
});

const FLOW = `id: approve
namespace: company.team
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: approved
        type: BOOLEAN
      - id: reason
        type: STRING
        defaults: none given
      - id: doc
        type: FILE
        required: false
      - id: count
        type: INT
        required: false
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.wait.onResume.approved }} / {{ outputs.wait.onResume.reason }}"
`;

const get = async (id: string) =>
  (await (await orch.app.request(`${base}/executions/${id}`)).json()) as ExecutionJson;
async function until(id: string, states: string[]): Promise<ExecutionJson> {
  const end = Date.now() + 5000;
  for (;;) {
    const e = await get(id);
    if (states.includes(e.state.current)) return e;
    if (Date.now() > end) throw new Error(`still ${e.state.current}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
async function paused(): Promise<string> {
  const r = await orch.app.request(`${base}/executions/company.team/approve`, { method: 'POST' });
  const id = ((await r.json()) as ExecutionJson).id;
  await until(id, ['PAUSED']);
  return id;
}
const resume = (id: string, init: RequestInit) =>
  orch.app.request(`${base}/executions/${id}/resume`, { method: 'POST', ...init });

describe('resume with onResume inputs', () => {
  it('JSON body: values typed like flow inputs, stored as the Pause task run outputs.onResume', async () => {
    const id = await paused();
    const r = await resume(id, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approved: 'true', extra: 'dropped' }),
    });
    expect(r.status).toBe(204);
    const e = await until(id, ['SUCCESS', 'FAILED']);
    expect(e.state.current).toBe('SUCCESS');
    const wait = e.taskRunList.find((t) => t.taskId === 'wait');
    expect(wait?.outputs?.onResume).toEqual({ approved: true, reason: 'none given', doc: null, count: null });
    expect(e.taskRunList.find((t) => t.taskId === 'after')?.outputs?.value).toBe('true / none given');
  });

  it('multipart body with a file part', async () => {
    const id = await paused();
    const form = new FormData();
    form.append('approved', 'false');
    form.append('reason', 'too risky');
    form.append('doc', new Blob(['evidence']), '../../escape.txt');
    expect((await resume(id, { body: form })).status).toBe(204);
    const e = await until(id, ['SUCCESS', 'FAILED']);
    const out = e.taskRunList.find((t) => t.taskId === 'wait')?.outputs?.onResume;
    expect(out).toMatchObject({
      approved: false,
      reason: 'too risky',
      doc: expect.stringMatching(
        /^kestra:\/\/\/company\/team\/approve\/executions\/.+\/inputs\/doc\/escape\.txt$/,
      ),
    });
  });

  it('a missing or bad value is a 422 naming the input, and the execution stays PAUSED', async () => {
    const id = await paused();
    const missing = await resume(id, { headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(missing.status).toBe(422);
    const body = (await missing.json()) as KestraErrorBody;
    expect(body._embedded?.errors[0]?.path).toBe('inputs.approved');
    const wrong = await resume(id, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approved: true, count: 'many' }),
    });
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as KestraErrorBody)._embedded?.errors[0]?.path).toBe('inputs.count');
    const malformed = await resume(id, { headers: { 'content-type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    await new Promise((r) => setTimeout(r, 50));
    expect((await get(id)).state.current).toBe('PAUSED');
  });
});
