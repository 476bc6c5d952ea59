import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';

/**
 * Issue 7, point 3: webhooks sent to a stopped tenant are held through the
 * cold start. 100 webhooks at once each produce exactly one execution, or a
 * 503 with Retry-After the caller can retry: none lost, none doubled, and no
 * 2xx for an event that was not recorded.
 */
const FLOW = `id: inbox
namespace: e2e.webhook
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.body.n }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: inbox-key-0123
`;

type Exec = { id: string; trigger?: { variables?: { body?: { n?: number } } } };

describe('webhooks to a stopped tenant (real orchestrator)', () => {
  let t: TestGateway | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('records each of 100 concurrent webhooks exactly once, or answers 503 + Retry-After', async () => {
    t = await startTestGateway({
      instance: 'orchestrator',
      env: { SILO_IDLE_TIMEOUT: '300ms' },
      drainMs: 100,
      reportIntervalMs: 100,
    });
    const gw = t;
    const key = await gw.tenant('hooked');
    const auth = { authorization: `Bearer ${key}` };
    const deployed = await fetch(`${gw.url}/api/v1/hooked/flows`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-yaml' },
      body: FLOW,
    });
    expect(deployed.status).toBeLessThan(300);
    await waitFor(
      'the idle instance to stop',
      async () =>
        (await gw.admin<{ instance: { state: string } }>('GET', '/admin/v1/tenants/hooked')).instance
          .state === 'stopped',
      10_000,
    );

    const answers = await Promise.all(
      Array.from({ length: 100 }, async (_, n) => {
        const res = await fetch(
          `${gw.url}/api/v1/hooked/executions/webhook/e2e.webhook/inbox/inbox-key-0123`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ n }),
          },
        );
        const text = await res.text();
        return { n, status: res.status, retryAfter: res.headers.get('retry-after'), body: text };
      }),
    );
    const accepted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    for (const r of refused) {
      expect(r.status, r.body).toBe(503);
      expect(r.retryAfter).not.toBeNull();
    }
    const res = await fetch(
      `${gw.url}/api/v1/hooked/executions/search?namespace=e2e.webhook&flowId=inbox&size=1000`,
      { headers: auth },
    );
    const executions = ((await res.json()) as { results: Exec[] }).results;
    const recorded = executions.map((e) => e.trigger?.variables?.body?.n).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(recorded).toEqual(accepted.map((a) => a.n));
    const ids = accepted.map((a) => (JSON.parse(a.body) as { id: string }).id);
    expect(new Set(ids).size).toBe(accepted.length);
    expect(new Set(executions.map((e) => e.id))).toEqual(new Set(ids));
  }, 60_000);
});
