import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';
import { securityTable } from './report.js';

/**
 * Issue 12, findings 2 and 6, on the process runtime with the real
 * orchestrator: the keyless webhook path cannot run a flow of namespace
 * `webhook`, cannot tell an unknown tenant from a wrong key, does not start
 * an instance for a miss, and cannot fill a real tenant's hold queue.
 * (The Docker runtime's cases are in hardening.test.ts, on one container.)
 */
const attack = securityTable('webhook routing and enumeration (process runtime)');
const KEY = 'k3y-0123456789';
const FLOWS = [
  `id: internal-report
namespace: webhook
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: internal figures
outputs:
  - id: figures
    type: STRING
    value: "{{ outputs.out.value }}"
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
    key: ${KEY}
`,
];

type Answer = { status: number; text: string };
type View = { instance: { state: string; coldStarts: number } };

describe('security: webhooks', () => {
  let t: TestGateway;
  let aliceKey: string;
  const send = async (
    path: string,
    method = 'POST',
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const res = await fetch(`${t.url}${path}`, { method, headers, signal: AbortSignal.timeout(30_000) });
    return { status: res.status, text: await res.text() };
  };
  const view = (id: string) => t.admin<View>('GET', `/admin/v1/tenants/${id}`);
  const executions = async (ns: string, flowId: string): Promise<number> => {
    const res = await fetch(`${t.url}/api/v1/alice/executions/search?namespace=${ns}&flowId=${flowId}`, {
      headers: { authorization: `Bearer ${aliceKey}` },
    });
    return ((await res.json()) as { total: number }).total;
  };
  const stopAlice = async () => {
    await t.admin('POST', '/admin/v1/tenants/alice/stop');
    expect((await view('alice')).instance.state).toBe('stopped');
  };

  beforeAll(async () => {
    t = await startTestGateway({ instance: 'orchestrator', env: { SILO_HOLD_MAX: '10' } });
    aliceKey = await t.tenant('alice');
    await t.tenant('bob');
    for (const body of FLOWS) {
      const res = await fetch(`${t.url}/api/v1/alice/flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${aliceKey}`, 'content-type': 'application/x-yaml' },
        body,
      });
      expect(res.status, await res.text()).toBe(200);
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  attack(
    '2 keyless webhook',
    'POST executions/webhook/internal-report?wait=true (running)',
    'process',
    async () => {
      const a = await send('/api/v1/alice/executions/webhook/internal-report?wait=true');
      // Not the webhook shape (namespace/flow/key): a route like any other, so a key is needed.
      expect(a.status).toBe(401);
      expect(JSON.parse(a.text)).toMatchObject({ code: 'UNAUTHORIZED' });
      expect(a.text).not.toContain('internal figures');
      expect(await executions('webhook', 'internal-report')).toBe(0);
    },
  );

  attack('2 keyless webhook', 'other methods and shorter paths need a key', 'process', async () => {
    for (const [method, path] of [
      ['DELETE', '/api/v1/alice/executions/webhook/company/inbox/x'],
      ['PATCH', `/api/v1/alice/executions/webhook/company/inbox/${KEY}`],
      ['POST', '/api/v1/alice/executions/webhook/company/inbox'],
      ['GET', '/api/v1/alice/executions/webhook'],
    ] as const) {
      expect((await send(path, method)).status, `${method} ${path}`).toBe(401);
    }
  });

  attack('2 keyless webhook', 'a forged X-Silo-Webhook on a keyed path is stripped', 'process', async () => {
    const a = await send('/api/v1/alice/flows/search', 'GET', {
      authorization: `Bearer ${aliceKey}`,
      'x-silo-webhook': '1',
    });
    expect(a.status).toBe(200);
  });

  let stoppedMiss = '';
  attack(
    '6 enumeration',
    'unknown tenant = unknown flow = wrong key = main; nothing starts',
    'process',
    async () => {
      await stopAlice();
      const before = {
        alice: (await view('alice')).instance.coldStarts,
        bob: (await view('bob')).instance.coldStarts,
      };
      const answers = [
        await send(`/api/v1/ghost/executions/webhook/company/inbox/${KEY}`),
        await send(`/api/v1/bob/executions/webhook/company/inbox/${KEY}`),
        await send(`/api/v1/alice/executions/webhook/company/nope/${KEY}`),
        await send('/api/v1/alice/executions/webhook/company/inbox/wrong-key'),
        await send(`/api/v1/main/executions/webhook/company/inbox/${KEY}`),
        await send('/api/v1/alice/executions/webhook/webhook/internal-report/guess', 'GET'),
      ];
      for (const a of answers) expect(a).toEqual(answers[0]);
      expect(answers[0]?.status).toBe(404);
      stoppedMiss = answers[0]?.text ?? '';
      const after = { alice: await view('alice'), bob: await view('bob') };
      expect(after.alice.instance).toMatchObject({ state: 'stopped', coldStarts: before.alice });
      expect(after.bob.instance).toMatchObject({ state: 'stopped', coldStarts: before.bob });
    },
  );

  attack('6 enumeration', 'a running instance answers a miss with the same 404 body', 'process', async () => {
    await t.admin('POST', '/admin/v1/tenants/alice/start');
    const a = await send('/api/v1/alice/executions/webhook/company/inbox/wrong-key');
    expect(a).toEqual({ status: 404, text: stoppedMiss });
  });

  attack(
    '6 waking',
    'the right key wakes a stopped tenant, held through its cold start',
    'process',
    async () => {
      await stopAlice();
      const a = await send(`/api/v1/alice/executions/webhook/company/inbox/${KEY}`);
      expect(a.status, a.text).toBe(200);
      expect((await view('alice')).instance.state).toBe('running');
      await waitFor(
        'the execution to be recorded',
        async () => (await executions('company', 'inbox')) >= 1,
        10_000,
      );
    },
  );

  attack(
    '6 hold queue',
    "keyless requests cannot fill a tenant's hold queue (own bound)",
    'process',
    async () => {
      await stopAlice();
      const hooks = Array.from({ length: 6 }, () =>
        send(`/api/v1/alice/executions/webhook/company/inbox/${KEY}`),
      );
      const keyed = Array.from({ length: 5 }, () =>
        send('/api/v1/alice/flows/search', 'GET', { authorization: `Bearer ${aliceKey}` }),
      );
      const [h, k] = [await Promise.all(hooks), await Promise.all(keyed)];
      for (const a of k) expect(a.status, a.text).toBe(200);
      const refused = h.filter((a) => a.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      for (const a of refused) expect(a.text).toContain('webhook requests already wait');
    },
  );
});
