import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../limits.js';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

/**
 * The inline data limit at the HTTP boundary, under the default request body
 * limit (100 MiB): inputs and webhook bodies past `LIMITS.maxInlineDataBytes`
 * get a 413 that names the limit, and no execution is created.
 */
let orch: TestOrchestrator;
const base = '/api/v1/main';
const FLOW = `id: big
namespace: company.team
inputs:
  - id: s
    type: STRING
    required: false
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: hook-key
`;
const past = () => 'x'.repeat(LIMITS.maxInlineDataBytes + 1);

beforeAll(async () => {
  orch = await startTestOrchestrator('limits');
  const r = await orch.app.request(`${base}/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-yaml' },
    body: FLOW,
  });
  expect(r.status).toBe(200);
});
afterAll(async () => {
  await orch.close();
});

describe('inline data limit', () => {
  it.each([
    ['a JSON body of inputs', '/executions/company.team/big', 'application/json', () => `{"s":"${past()}"}`],
    [
      'a form field',
      '/executions/company.team/big',
      'application/x-www-form-urlencoded',
      () => `s=${past()}`,
    ],
    ['a webhook body', '/executions/webhook/company.team/big/hook-key', 'text/plain', past],
  ])('%s past the limit → 413 naming it', async (_name, path, type, body) => {
    const res = await orch.app.request(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: body(),
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(413);
    expect(text).toContain('the inline data limit');
  });

  it('a body under the limit is accepted, and the refused ones created nothing', async () => {
    const res = await orch.app.request(`${base}/executions/company.team/big`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ s: 'x'.repeat(1024 * 1024) }),
    });
    expect(res.status).toBe(200);
    const page = (await (await orch.app.request(`${base}/executions/search`)).json()) as { total: number };
    expect(page.total).toBe(1);
  });
});
