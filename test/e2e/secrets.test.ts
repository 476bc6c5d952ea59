import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { withTaskOutputs } from '../helpers/outputs.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/**
 * Issue 7, point 7: a secret set through the admin API reaches the instance
 * at start (on stdin, not in its arguments or environment) and is read with
 * `secret('NAME')`; its value never shows in the execution, its logs, the
 * process list or the registry file.
 */
const VALUE = 'e2e-secret-value-7f3a9c';
const FLOW = `id: uses-secret
namespace: e2e.secrets
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "token={{ secret('API_TOKEN') }}"
  - id: len
    type: io.kestra.plugin.core.debug.Return
    format: "{{ secret('API_TOKEN') | length }}"
`;

/** Every readable /proc/<pid>/{cmdline,environ} that holds `needle`. */
function processesHolding(needle: string): string[] {
  const hits: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    for (const file of ['cmdline', 'environ']) {
      try {
        if (readFileSync(`/proc/${pid}/${file}`).includes(needle)) hits.push(`${pid}/${file}`);
      } catch {
        // gone, or not ours
      }
    }
  }
  return hits;
}

describe('tenant secrets (real orchestrator)', () => {
  let t: TestGateway | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('hands secrets to the instance on stdin and keeps the value out of everything visible', async () => {
    t = await startTestGateway({ instance: 'orchestrator' });
    const gw = t;
    const key = await gw.tenant('vault');
    await gw.admin('PUT', '/admin/v1/tenants/vault/secrets/API_TOKEN', { value: VALUE });
    const names = await gw.admin<{ results: Array<{ name: string }> }>(
      'GET',
      '/admin/v1/tenants/vault/secrets',
    );
    expect(JSON.stringify(names)).not.toContain(VALUE);
    expect(names.results.map((s) => s.name)).toEqual(['API_TOKEN']);

    const auth = { authorization: `Bearer ${key}` };
    const deployed = await fetch(`${gw.url}/api/v1/vault/flows`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-yaml' },
      body: FLOW,
    });
    expect(deployed.status).toBeLessThan(300);
    const res = await fetch(`${gw.url}/api/v1/vault/executions/e2e.secrets/uses-secret?wait=true`, {
      method: 'POST',
      headers: auth,
    });
    const execution = await withTaskOutputs(
      (path) => fetch(`${gw.url}/api/v1/vault${path}`, { headers: auth }),
      (await res.json()) as {
        id: string;
        state: { current: string };
        taskRunList: Array<{ id?: string; outputs?: { value?: string } }>;
      },
    );
    expect(execution.state.current).toBe('SUCCESS');
    expect(execution.taskRunList[1]?.outputs?.value).toBe(String(VALUE.length));
    const logs = await (await fetch(`${gw.url}/api/v1/vault/logs/${execution.id}`, { headers: auth })).text();
    expect(logs).toContain('token=******');
    expect(JSON.stringify(execution) + logs).not.toContain(VALUE);
    expect(processesHolding(VALUE)).toEqual([]);
    expect(readFileSync(`${gw.dataDir}/registry.db`).includes(Buffer.from(VALUE))).toBe(false);
  }, 60_000);
});
