import { createHash } from 'node:crypto';
import { WEBHOOK_MARK_HEADER, WEBHOOK_NOT_FOUND_MESSAGE } from '@silo/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

/**
 * Issue 12 §3, the instance's half: a request the gateway marked as a keyless
 * webhook reaches webhook routes only, and every miss answers the one 404
 * the gateway answers too. The reproduction is a flow in namespace
 * `webhook` run through `POST /executions/webhook/{id}`.
 */
let orch: TestOrchestrator;
const base = '/api/v1/acme';
const marked = { [WEBHOOK_MARK_HEADER]: '1' };
const NOT_FOUND = { message: WEBHOOK_NOT_FOUND_MESSAGE, code: 'NOT_FOUND' };

beforeEach(async () => {
  orch = await startTestOrchestrator('webhook-mark', { secrets: { HOOK: 'from-a-secret' } });
  for (const yaml of [
    `id: internal-report
namespace: webhook
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: secret data
`,
    `id: inbox
namespace: company
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.body }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: k3y-0123
  - id: templated
    type: io.kestra.plugin.core.trigger.Webhook
    key: "{{ secret('HOOK') }}"
  - id: off
    type: io.kestra.plugin.core.trigger.Webhook
    key: disabled-key
    disabled: true
`,
  ]) {
    const r = await orch.app.request(`${base}/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-yaml' },
      body: yaml,
    });
    expect(r.status, await r.clone().text()).toBe(200);
  }
});
afterEach(async () => {
  await orch.close();
});

describe('a request marked as a keyless webhook', () => {
  it.each([
    ['POST', '/executions/webhook/internal-report?wait=true'],
    ['POST', '/executions/webhook/internal-report'],
    ['GET', '/flows/webhook/internal-report'],
    ['GET', '/flows/search'],
    ['DELETE', '/executions/webhook/company/inbox/k3y-0123'],
    ['PUT', '/namespaces/company/kv/x'],
  ])('is refused with the one 404 on %s %s (not a webhook route)', async (method, path) => {
    const r = await orch.app.request(`${base}${path}`, { method, headers: marked });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual(NOT_FOUND);
  });

  it('answers a wrong key and an unknown flow with the same 404 body as the gateway', async () => {
    for (const path of [
      '/executions/webhook/company/inbox/wrong',
      '/executions/webhook/company/nope/k3y-0123',
    ]) {
      const r = await orch.app.request(`${base}${path}`, { method: 'POST', headers: marked });
      expect(r.status).toBe(404);
      expect(await r.json()).toEqual(NOT_FOUND);
    }
  });

  it('runs the webhook with the right key, and leaves the mark out of trigger.headers', async () => {
    const r = await orch.app.request(`${base}/executions/webhook/company/inbox/k3y-0123`, {
      method: 'POST',
      headers: { ...marked, 'content-type': 'application/json' },
      body: '{"n":1}',
    });
    expect(r.status).toBe(200);
    const id = ((await r.json()) as { id: string }).id;
    const e = (await (await orch.app.request(`${base}/executions/${id}`)).json()) as {
      trigger: { variables: { headers: Record<string, unknown> } };
    };
    expect(e.trigger.variables.headers[WEBHOOK_MARK_HEADER]).toBeUndefined();
  });
});

describe('the lifecycle report', () => {
  it('names each enabled webhook by the SHA-256 of namespace/flowId/key, templated keys rendered, never a key', async () => {
    const report = (await (await orch.app.request('/_silo/lifecycle')).json()) as { webhookKeys: string[] };
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    expect(report.webhookKeys).toEqual(
      [sha('company/inbox/k3y-0123'), sha('company/inbox/from-a-secret')].sort(),
    );
    expect(JSON.stringify(report)).not.toContain('k3y-0123');
  });
});
