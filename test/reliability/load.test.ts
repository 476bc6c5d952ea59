import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { figureTable } from './figures.js';
import { instancePid, Latencies, LONG, QUICK_FLOW, rssMiB } from './load-kit.js';

/**
 * Issue 19 §5: load through the gateway on real instances (process runtime):
 * tenants × clients mixing flow searches, execution creates with wait=true,
 * log follows (SSE), execution reads and webhooks, each tenant silent every
 * other 3 s with a 1 s idle timeout so instances stop and wake during the
 * run. Held: no error but the documented 429/503, every acknowledged
 * execution exists and is terminal. Printed: p50/p99, RSS, event-loop lag.
 * Short: 10 × 10 × 15 s; long (`npm run soak`): 50 × 20 × 60 s.
 */
const TENANTS = LONG ? 50 : 10;
const CLIENTS = LONG ? 20 : 10;
const SECONDS = LONG ? 60 : 15;
const PHASE_MS = 3_000;
const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED']);
const figures = figureTable(`load ${TENANTS} tenants × ${CLIENTS} clients × ${SECONDS} s (process runtime)`);

describe('reliability: load with idle stops and wakes', () => {
  let t: TestGateway;
  const keys = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestGateway({ instance: 'orchestrator', env: { SILO_IDLE_TIMEOUT: '1s' } });
    for (let k = 0; k < TENANTS; k++) {
      const id = `load${k}`;
      keys.set(id, await t.tenant(id));
      const res = await fetch(`${t.url}/api/v1/${id}/flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.get(id)}`, 'content-type': 'application/x-yaml' },
        body: QUICK_FLOW,
      });
      expect(res.status, await res.text()).toBe(200);
    }
  }, 600_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('answers every request (or a documented 429/503) and loses no acknowledged execution', async () => {
    const lat = new Latencies();
    const statuses = new Map<string, number>();
    const errors: string[] = [];
    const acked = new Map<string, string[]>();
    const lag = monitorEventLoopDelay({ resolution: 20 });
    lag.enable();
    let maxGatewayRss = 0;
    let maxInstanceRss = 0;
    let maxHandles = 0;
    const started = Date.now();
    const end = started + SECONDS * 1000;
    const sampler = setInterval(() => {
      maxGatewayRss = Math.max(maxGatewayRss, Math.round(process.memoryUsage().rss / 2 ** 20));
      maxHandles = Math.max(maxHandles, process.getActiveResourcesInfo().length);
      for (const id of keys.keys()) {
        const pid = instancePid(t.dataDir, id);
        if (pid !== undefined) maxInstanceRss = Math.max(maxInstanceRss, rssMiB(pid));
      }
    }, 1_000);

    const client = async (tenant: string, k: number, c: number) => {
      const key = keys.get(tenant) as string;
      const base = `${t.url}/api/v1/${tenant}`;
      const mine: string[] = [];
      acked.set(`${tenant}/${c}`, mine);
      for (let i = c; Date.now() < end && i < 1_000_000; i++) {
        if (Math.floor((Date.now() - started) / PHASE_MS) % 2 !== k % 2) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        const last = mine.at(-1);
        const op = i % 10;
        const [method, path, body, auth] =
          op <= 3 || (op >= 8 && last === undefined)
            ? ['GET', '/flows/search', undefined, true]
            : op <= 5
              ? ['POST', '/executions/load/quick?wait=true', undefined, true]
              : op <= 7
                ? [
                    'POST',
                    '/executions/webhook/load/quick/load-key-0123456789',
                    JSON.stringify({ n: i }),
                    false,
                  ]
                : op === 8
                  ? ['GET', `/executions/${last}/follow`, undefined, true]
                  : ['GET', `/executions/${last}`, undefined, true];
        const at = Date.now();
        try {
          const res = await fetch(`${base}${path}`, {
            method,
            headers: {
              ...(auth ? { authorization: `Bearer ${key}` } : {}),
              ...(body ? { 'content-type': 'application/json' } : {}),
            },
            ...(body ? { body } : {}),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await res.text();
          lat.add(Date.now() - at);
          const s = String(res.status);
          statuses.set(s, (statuses.get(s) ?? 0) + 1);
          if (res.status === 200 && method === 'POST') {
            const id = (JSON.parse(text) as { id?: string }).id;
            if (id !== undefined) mine.push(id);
          } else if (res.status >= 300 && res.status !== 429 && res.status !== 503) {
            errors.push(`${method} ${path} → ${res.status} ${text.slice(0, 120)}`);
          }
        } catch (err) {
          errors.push(`${method} ${path} → ${(err as Error).message} after ${Date.now() - at} ms`);
        }
      }
    };

    const tenants = [...keys.keys()];
    await Promise.all(
      tenants.flatMap((id, k) => Array.from({ length: CLIENTS }, (_, c) => client(id, k, c))),
    );
    clearInterval(sampler);
    lag.disable();
    const seconds = (Date.now() - started) / 1000;

    // Every acknowledged execution exists and ends (bounded wait for the last ones to finish).
    let missing = 0;
    let notTerminal = 0;
    let ackedCount = 0;
    for (const [slot, ids] of acked) {
      const tenant = slot.split('/')[0] as string;
      const key = keys.get(tenant) as string;
      for (const id of ids) {
        ackedCount += 1;
        let state = '';
        for (let tries = 0; tries < 60 && !TERMINAL.has(state); tries++) {
          const res = await fetch(`${t.url}/api/v1/${tenant}/executions/${id}`, {
            headers: { authorization: `Bearer ${key}` },
            signal: AbortSignal.timeout(30_000),
          });
          if (res.status === 404) {
            await res.text();
            break;
          }
          if (res.status !== 200) {
            await res.text();
            await new Promise((r) => setTimeout(r, 500));
            continue;
          }
          state = ((await res.json()) as { state: { current: string } }).state.current;
          if (!TERMINAL.has(state)) await new Promise((r) => setTimeout(r, 500));
        }
        if (state === '') missing += 1;
        else if (!TERMINAL.has(state)) notTerminal += 1;
      }
    }
    const coldStarts = await Promise.all(
      tenants.map(
        async (id) =>
          (await t.admin<{ instance: { coldStarts: number } }>('GET', `/admin/v1/tenants/${id}`)).instance
            .coldStarts,
      ),
    );
    figures.record('load', {
      requests: lat.count,
      'req/s': Math.round(lat.count / seconds),
      seconds: Math.round(seconds),
      errors: errors.length,
      ...Object.fromEntries([...statuses].sort().map(([s, n]) => [`s${s}`, n])),
      acked: ackedCount,
      missing,
      notTerminal,
      coldStarts: coldStarts.reduce((a, b) => a + b, 0),
      p50ms: lat.quantile(0.5),
      p99ms: lat.quantile(0.99),
      maxMs: lat.quantile(1),
      gatewayRssMiB: maxGatewayRss,
      instanceRssMiB: maxInstanceRss,
      handlesMax: maxHandles,
      lagP99ms: Math.round(lag.percentile(99) / 1e6),
      lagMaxMs: Math.round(lag.max / 1e6),
    });
    expect(errors.slice(0, 10)).toEqual([]);
    expect({ missing, notTerminal }).toEqual({ missing: 0, notTerminal: 0 });
    // Instances stopped idle and woke during the run (every tenant more than its first start).
    expect(Math.min(...coldStarts)).toBeGreaterThan(1);
  }, 900_000);
});
