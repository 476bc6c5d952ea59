import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { figureTable } from './figures.js';
import { instancePid, Latencies, LONG, QUICK_FLOW, rssMiB } from './load-kit.js';
import { cpuMeter, Flights, loadAverage, startProgress } from './progress.js';

/**
 * Issue 19 §5: load through the gateway on real instances (process runtime):
 * tenants × clients mixing flow searches, execution creates with wait=true,
 * log follows (SSE), execution reads and webhooks, each tenant silent every
 * other 3 s with a 1 s idle timeout so instances stop and wake during the
 * run. Held: no error but the documented 429/503, every acknowledged
 * execution exists and is terminal. Printed: p50/p99, RSS, event-loop lag,
 * and every 5 s a progress line (requests, in flight, lag, CPU of the
 * gateway+harness process and of the instances, lifecycle states).
 * Short: 10 × 10 × 15 s; long (`npm run soak`): 50 × 20 × 60 s; any size
 * with SILO_LOAD=<tenants>x<clients>x<seconds>. Bounded: every request
 * times out after 30 s, and the run fails listing its stuck requests when
 * the clients have not all ended 90 s after the load's end.
 */
const SIZE = /^(\d+)x(\d+)x(\d+)$/.exec(process.env.SILO_LOAD ?? '');
const TENANTS = SIZE ? Number(SIZE[1]) : LONG ? 50 : 10;
const CLIENTS = SIZE ? Number(SIZE[2]) : LONG ? 20 : 10;
const SECONDS = SIZE ? Number(SIZE[3]) : LONG ? 60 : 15;
const PHASE_MS = 3_000;
// Above SILO_START_TIMEOUT (30 s): a request held through a start that times out ends with its documented 503, not a client abort.
const REQUEST_MS = 45_000;
const GRACE_MS = 90_000;
const VERIFY_MS = 300_000;
const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED']);
const figures = figureTable(`load ${TENANTS} tenants × ${CLIENTS} clients × ${SECONDS} s (process runtime)`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reliability: load with idle stops and wakes', () => {
  let t: TestGateway;
  const keys = new Map<string, string>();
  const live = () =>
    [...keys.keys()]
      .map((id) => instancePid(t.dataDir, id))
      .filter((pid) => pid !== undefined && rssMiB(pid) > 0) as number[];
  const states = () => {
    const counts: Record<string, number> = {};
    for (const id of keys.keys()) {
      const s = t.gateway.manager.state(id);
      counts[s] = (counts[s] ?? 0) + 1;
    }
    return Object.entries(counts)
      .map(([s, n]) => `${s}:${n}`)
      .join(',');
  };

  beforeAll(async () => {
    t = await startTestGateway({ instance: 'orchestrator', env: { SILO_IDLE_TIMEOUT: '1s' } });
    // Five tenants set up at once: 50 first cold starts one after the other take minutes on a loaded machine.
    const ids = Array.from({ length: TENANTS }, (_, k) => `load${k}`);
    const stopProgress = startProgress(
      'load setup',
      5_000,
      async () => `tenants=${keys.size}/${TENANTS} load=${loadAverage()}`,
    );
    try {
      for (let k = 0; k < ids.length; k += 5) {
        await Promise.all(
          ids.slice(k, k + 5).map(async (id) => {
            const key = await t.tenant(id);
            const res = await fetch(`${t.url}/api/v1/${id}/flows`, {
              method: 'POST',
              headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-yaml' },
              body: QUICK_FLOW,
              signal: AbortSignal.timeout(120_000),
            });
            expect(res.status, await res.text()).toBe(200);
            keys.set(id, key);
          }),
        );
      }
    } finally {
      stopProgress();
    }
  }, 900_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('answers every request (or a documented 429/503) and loses no acknowledged execution', async () => {
    const lat = new Latencies();
    const statuses = new Map<string, number>();
    const errors: string[] = [];
    const acked = new Map<string, string[]>();
    const flights = new Flights();
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
      for (const pid of live()) maxInstanceRss = Math.max(maxInstanceRss, rssMiB(pid));
    }, 1_000);
    const harnessCpu = cpuMeter();
    const instanceCpu = cpuMeter();
    let lastCount = 0;
    let lastAt = Date.now();
    const stopProgress = startProgress('load', 5_000, async (loop) => {
      const at = Date.now();
      let healthz = 'timeout';
      try {
        const res = await fetch(`${t.url}/healthz`, { signal: AbortSignal.timeout(3_000) });
        await res.text();
        healthz = `${res.status}/${Date.now() - at}ms`;
      } catch {}
      const pids = live();
      const rate = Math.round(((lat.count - lastCount) * 1000) / Math.max(1, at - lastAt));
      lastCount = lat.count;
      lastAt = at;
      return [
        `req=${lat.count} rate=${rate}/s inflight=${flights.size} oldest=${(flights.oldestMs() / 1000).toFixed(1)}s`,
        `errors=${errors.length} lag=p99 ${loop.p99}ms max ${loop.max}ms`,
        `cpu gateway+harness=${harnessCpu([process.pid])}% instances=${instanceCpu(pids)}%`,
        `live=${pids.length} states=${states()} handles=${process.getActiveResourcesInfo().length}`,
        `healthz=${healthz} load=${loadAverage()}`,
      ].join(' ');
    });

    const client = async (tenant: string, k: number, c: number) => {
      const key = keys.get(tenant) as string;
      const base = `${t.url}/api/v1/${tenant}`;
      const mine: string[] = [];
      acked.set(`${tenant}/${c}`, mine);
      for (let i = c; Date.now() < end && i < 1_000_000; i++) {
        if (Math.floor((Date.now() - started) / PHASE_MS) % 2 !== k % 2) {
          await sleep(100);
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
        const flight = flights.begin(tenant, `${method} ${path}`);
        try {
          const res = await fetch(`${base}${path}`, {
            method,
            headers: {
              ...(auth ? { authorization: `Bearer ${key}` } : {}),
              ...(body ? { 'content-type': 'application/json' } : {}),
            },
            ...(body ? { body } : {}),
            signal: AbortSignal.timeout(REQUEST_MS),
          });
          const text = await res.text();
          lat.add(Date.now() - at);
          const s = String(res.status);
          statuses.set(s, (statuses.get(s) ?? 0) + 1);
          if (res.status === 200 && method === 'POST') {
            const id = (JSON.parse(text) as { id?: string }).id;
            if (id !== undefined) mine.push(id);
          } else if (res.status >= 300 && res.status !== 429 && res.status !== 503) {
            errors.push(`${tenant} ${method} ${path} → ${res.status} ${text.slice(0, 120)}`);
          }
        } catch (err) {
          const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
          const why = `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
          errors.push(`${tenant} ${method} ${path} → ${why} after ${Date.now() - at} ms`);
        } finally {
          flights.end(flight);
        }
      }
    };

    const tenants = [...keys.keys()];
    // Bounded: the clients end at `end`, each request within REQUEST_MS; past GRACE_MS more, the run fails naming what is stuck.
    const finished = await Promise.race([
      Promise.all(
        tenants.flatMap((id, k) => Array.from({ length: CLIENTS }, (_, c) => client(id, k, c))),
      ).then(() => true),
      sleep(SECONDS * 1000 + GRACE_MS).then(() => false),
    ]);
    const stuck = finished ? [] : flights.stuck();
    clearInterval(sampler);
    lag.disable();
    const seconds = (Date.now() - started) / 1000;
    expect(
      stuck,
      `${flights.size} requests still in flight ${GRACE_MS / 1000} s after the load ended`,
    ).toEqual([]);

    // Every acknowledged execution exists and ends: tenants checked at once, each read bounded, the whole bounded by VERIFY_MS.
    const verifyEnd = Date.now() + VERIFY_MS;
    const verdict = { acked: 0, missing: 0, notTerminal: 0, unchecked: 0 };
    const verifyTenant = async (tenant: string) => {
      const key = keys.get(tenant) as string;
      const ids = [...acked].filter(([slot]) => slot.startsWith(`${tenant}/`)).flatMap(([, v]) => v);
      verdict.acked += ids.length;
      for (const id of ids) {
        let state = '';
        let found = true;
        for (let tries = 0; tries < 60 && !TERMINAL.has(state) && Date.now() < verifyEnd; tries++) {
          try {
            const res = await fetch(`${t.url}/api/v1/${tenant}/executions/${id}`, {
              headers: { authorization: `Bearer ${key}` },
              signal: AbortSignal.timeout(REQUEST_MS),
            });
            if (res.status === 404) {
              await res.text();
              found = false;
              break;
            }
            if (res.status === 200)
              state = ((await res.json()) as { state: { current: string } }).state.current;
            else await res.text();
          } catch {}
          if (!TERMINAL.has(state)) await sleep(500);
        }
        if (!found) verdict.missing += 1;
        else if (state === '') verdict.unchecked += 1;
        else if (!TERMINAL.has(state)) verdict.notTerminal += 1;
      }
    };
    await Promise.all(tenants.map(verifyTenant));
    stopProgress();
    const coldStartCounts = await Promise.all(
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
      ...verdict,
      coldStarts: coldStartCounts.reduce((a, b) => a + b, 0),
      p50ms: lat.quantile(0.5),
      p99ms: lat.quantile(0.99),
      maxMs: lat.quantile(1),
      gatewayRssMiB: maxGatewayRss,
      instanceRssMiB: maxInstanceRss,
      handlesMax: maxHandles,
      lagP99ms: Math.round(lag.percentile(99) / 1e6),
      lagMaxMs: Math.round(lag.max / 1e6),
      loadAvg: loadAverage(),
    });
    // The errors by kind (status or cause, without tenant and timing), so a failed run says what failed.
    const kinds = new Map<string, number>();
    for (const e of errors) {
      const kind = e
        .replace(/^\S+ /, '')
        .replace(/ after \d+ ms$/, '')
        .replace(/\/executions\/\w+/, '/executions/<id>');
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    if (kinds.size > 0) {
      process.stderr.write(
        `[load] errors by kind:\n${[...kinds].map(([k, n]) => `  ${n} × ${k}`).join('\n')}\n`,
      );
    }
    expect(errors.slice(0, 10)).toEqual([]);
    expect(verdict).toMatchObject({ missing: 0, notTerminal: 0, unchecked: 0 });
    // Instances stopped idle and woke during the run (every tenant more than its first start).
    expect(Math.min(...coldStartCounts)).toBeGreaterThan(1);
  }, 1_800_000);
});
