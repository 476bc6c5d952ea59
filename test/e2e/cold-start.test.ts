import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const FLOW = `id: hello
namespace: e2e
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: hi
`;

describe('cold start', () => {
  let t: TestGateway | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('serves the first request to a stopped tenant by starting its orchestrator', async () => {
    t = await startTestGateway({ instance: 'orchestrator' });
    const key = await t.tenant('cold');
    const began = performance.now();
    const res = await fetch(`${t.url}/api/v1/cold/flows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-yaml' },
      body: FLOW,
    });
    const ms = performance.now() - began;
    expect(res.status).toBeLessThan(300);
    const view = await t.admin<{ instance: { state: string; coldStarts: number } }>(
      'GET',
      '/admin/v1/tenants/cold',
    );
    expect(view.instance).toMatchObject({ state: 'running', coldStarts: 1 });
    process.stdout.write(`[measure] cold start + first request (orchestrator): ${ms.toFixed(0)} ms\n`);
  });

  it('answers 200 concurrent requests to a stopped tenant with exactly one start', async () => {
    t = await startTestGateway({ instance: 'orchestrator' });
    const key = await t.tenant('crowd');
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        fetch(`${t?.url}/api/v1/crowd/flows/search`, { headers: { authorization: `Bearer ${key}` } }).then(
          async (r) => {
            await r.arrayBuffer();
            return r.status;
          },
        ),
      ),
    );
    expect(answers.filter((s) => s === 200)).toHaveLength(200);
    const view = await t.admin<{ instance: { coldStarts: number } }>('GET', '/admin/v1/tenants/crowd');
    expect(view.instance.coldStarts).toBe(1);
    const metrics = await t.metrics();
    expect(metrics).toMatch(/silo_cold_starts_total\{outcome="ready",reason="request"\} 1/);
  });

  it('learns readiness within 25 ms of /readyz turning 200', async () => {
    t = await startTestGateway({ stubArgs: ['--ready-delay=400'] });
    const key = await t.tenant('ready');
    const res = await fetch(`${t.url}/api/v1/ready/echo`, { headers: { authorization: `Bearer ${key}` } });
    const answeredAt = Date.now();
    expect(res.status).toBe(200);
    const [readyAt, seenAt] = readFileSync(join(t.dataDir, 'tenants', 'ready', 'data', 'ready-at'), 'utf8')
      .split(' ')
      .map(Number) as [number, number];
    const learned = seenAt - readyAt;
    process.stdout.write(
      `[measure] readiness learned ${learned} ms after /readyz turned 200; first response ${answeredAt - readyAt} ms after\n`,
    );
    expect(learned).toBeLessThan(25);
  });
});
