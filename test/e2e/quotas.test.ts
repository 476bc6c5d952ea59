import type { ExecutionJson } from '@silo/contracts';
import { buildProgram } from '@silo/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { deploy, executions, sleepyFlow, startExecutions, tenantApi } from '../helpers/tenant-workload.js';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';

const HOOK_FLOW = `id: hooked
namespace: ops
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: quota-hook-key
`;

type View = {
  limits: Record<string, number>;
  instance: { coldStarts: number };
  usage: { runningExecutions: number | null; queuedExecutions: number | null; requestsPerSecond: number };
};

/** Issue 16 §5 through a real gateway and real orchestrator processes: requestsPerSecond and maxConcurrentExecutions. */
describe('quotas (process runtime)', () => {
  let t: TestGateway | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  const silo = async (...args: string[]) => {
    const out: string[] = [];
    const io = { env: {}, print: (line: string) => out.push(line), readStdin: async () => '' };
    await buildProgram(io).parseAsync(
      ['--url', t!.url, '--token', t!.gateway.adminToken, '--json', ...args],
      {
        from: 'user',
      },
    );
    return JSON.parse(out.join('\n')) as { limits: Record<string, number>; appliesAtNextStart?: string[] };
  };
  const timed = async (run: () => Promise<Response>) => {
    const began = performance.now();
    const res = await run();
    const body = await res.text();
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body,
      ms: performance.now() - began,
    };
  };

  it('requestsPerSecond: 429 + Retry-After per tenant, before any cold start, webhooks counted, changed at once', async () => {
    t = await startTestGateway({ instance: 'orchestrator' });
    const busy = tenantApi(t.url, 'busy', await t.tenant('busy'));
    const calm = tenantApi(t.url, 'calm', await t.tenant('calm'));
    expect((await silo('tenant', 'limits', 'busy', '--requests-per-second', '3')).limits).toEqual({
      requestsPerSecond: 3,
    });

    // Both stopped: 10 requests each at once. busy gets its burst of 3, calm (no limit) all 10.
    const [b, c] = await Promise.all(
      [busy, calm].map((api) =>
        Promise.all(Array.from({ length: 10 }, () => timed(() => api.call('GET', '/flows/search')))),
      ),
    );
    expect(c!.map((r) => r.status)).toEqual(Array(10).fill(200));
    const passed = b!.filter((r) => r.status === 200);
    const refused = b!.filter((r) => r.status === 429);
    expect([passed.length, refused.length]).toEqual([3, 7]);
    for (const r of refused) {
      expect(r.retryAfter).toBe('1');
      expect(JSON.parse(r.body)).toEqual({
        code: 'RATE_LIMITED',
        message: expect.stringContaining('limit of 3 requests per second (requestsPerSecond)'),
      });
    }
    // Refused before the instance step: answered at once, while the admitted ones waited for the one cold start.
    expect(Math.max(...refused.map((r) => r.ms))).toBeLessThan(Math.min(...passed.map((r) => r.ms)));
    const afterBurst = await t.admin<View>('GET', '/admin/v1/tenants/busy');
    expect(afterBurst.instance.coldStarts).toBe(1);
    process.stdout.write(
      `[measure] 429 answered in ≤ ${Math.max(...refused.map((r) => r.ms)).toFixed(0)} ms; admitted requests (cold start) ≥ ${Math.min(...passed.map((r) => r.ms)).toFixed(0)} ms\n`,
    );

    await new Promise((r) => setTimeout(r, 1_100));
    await deploy(busy, HOOK_FLOW);
    // A change applies to the next request, without a restart; keyless webhooks spend the same tokens.
    await t.admin('PUT', '/admin/v1/tenants/busy/limits', { requestsPerSecond: 2 });
    await new Promise((r) => setTimeout(r, 1_100));
    const hooks = await Promise.all(
      Array.from({ length: 6 }, () =>
        timed(() =>
          fetch(`${t!.url}/api/v1/busy/executions/webhook/ops/hooked/quota-hook-key`, {
            method: 'POST',
            signal: AbortSignal.timeout(30_000),
          }),
        ),
      ),
    );
    expect(hooks.filter((r) => r.status === 429)).toHaveLength(4);
    expect(hooks.filter((r) => r.status === 200)).toHaveLength(2);
    const view = await t.admin<View>('GET', '/admin/v1/tenants/busy');
    expect(view.limits).toEqual({ requestsPerSecond: 2 });
    expect(view.usage).toMatchObject({
      runningExecutions: expect.any(Number),
      requestsPerSecond: expect.any(Number),
    });
  }, 60_000);

  it('maxConcurrentExecutions: set from the CLI, handed to the instance at its start, never exceeded', async () => {
    t = await startTestGateway({ instance: 'orchestrator' });
    const api = tenantApi(t.url, 'capped', await t.tenant('capped'));
    await deploy(api, sleepyFlow('nap', 'PT0.6S'));
    const set = await silo('tenant', 'limits', 'capped', '--max-concurrent-executions', '1');
    // The instance is running (the deploy started it): the cap waits for its next start, and says so.
    expect(set).toMatchObject({
      limits: { maxConcurrentExecutions: 1 },
      appliesAtNextStart: ['maxConcurrentExecutions'],
    });
    await t.admin('POST', '/admin/v1/tenants/capped/stop');
    await t.admin('POST', '/admin/v1/tenants/capped/start');

    const ids = await startExecutions(api, 'nap', 4);
    let maxSeenRunning = 0;
    let sawQueued = false;
    await waitFor(
      'all 4 executions done',
      async () => {
        const all = (await executions(api)).filter((e) => ids.includes(e.id));
        const running = all.filter((e) => e.state.current === 'RUNNING').length;
        maxSeenRunning = Math.max(maxSeenRunning, running);
        const view = await t!.admin<View>('GET', '/admin/v1/tenants/capped');
        expect(view.usage.runningExecutions ?? 0).toBeLessThanOrEqual(1);
        if ((view.usage.queuedExecutions ?? 0) > 0) sawQueued = true;
        return all.length === 4 && all.every((e) => e.state.current === 'SUCCESS') ? all : undefined;
      },
      30_000,
    );
    expect(maxSeenRunning).toBeLessThanOrEqual(1);
    expect(sawQueued).toBe(true);
    const all = (await executions(api)).filter((e) => ids.includes(e.id)) as ExecutionJson[];
    // From the histories: each RUNNING interval ends before the next begins.
    const spans = all
      .map((e) => [
        Date.parse(e.state.histories.find((h) => h.state === 'RUNNING')?.date ?? ''),
        Date.parse(e.state.histories.at(-1)?.date ?? ''),
      ])
      .sort((x, y) => x[0]! - y[0]!);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]!);
  }, 60_000);
});
