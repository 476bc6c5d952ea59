import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { figureTable } from './figures.js';
import { fdCount, instancePid, LONG, QUICK_FLOW, rssMiB, slope } from './load-kit.js';
import { loadAverage, startProgress } from './progress.js';

/**
 * Issue 19 §6, long mode only (`npm run soak`; SILO_SOAK_MINUTES, default 30):
 * steady traffic on a busy tenant and idle stops/wakes on four others.
 * Printed: memory slopes of the gateway and the busy instance (MiB/hour),
 * file descriptors and handles at start and end, the size of every tenant's
 * logs (bounded by the process driver's rotation: 4 × 10 MiB).
 */
const MINUTES = Number(process.env.SILO_SOAK_MINUTES ?? 30);
const SAMPLE_MS = 10_000;
const LOG_BOUND = 4 * 10 * 2 ** 20 + 2 * 2 ** 20;
const figures = figureTable(`soak ${MINUTES} min (process runtime)`);

describe.skipIf(!LONG)('reliability: soak', () => {
  let t: TestGateway;
  const keys = new Map<string, string>();
  beforeAll(async () => {
    t = await startTestGateway({ instance: 'orchestrator', env: { SILO_IDLE_TIMEOUT: '2s' } });
    for (const id of ['busy', 'idle1', 'idle2', 'idle3', 'idle4']) {
      keys.set(id, await t.tenant(id));
      const res = await fetch(`${t.url}/api/v1/${id}/flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.get(id)}`, 'content-type': 'application/x-yaml' },
        body: QUICK_FLOW,
      });
      expect(res.status, await res.text()).toBe(200);
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  it(
    'keeps memory flat, descriptors and logs bounded',
    async () => {
      const started = Date.now();
      const end = started + MINUTES * 60_000;
      const gatewayMem: Array<[number, number]> = [];
      const instanceMem: Array<[number, number]> = [];
      const fds: number[] = [];
      const handles: number[] = [];
      let requests = 0;
      const errors: string[] = [];
      const sample = () => {
        const hours = (Date.now() - started) / 3_600_000;
        gatewayMem.push([hours, process.memoryUsage().rss / 2 ** 20]);
        const pid = instancePid(t.dataDir, 'busy');
        if (pid !== undefined) instanceMem.push([hours, rssMiB(pid)]);
        fds.push(fdCount(process.pid));
        handles.push(process.getActiveResourcesInfo().length);
      };
      sample();
      const sampler = setInterval(sample, SAMPLE_MS);
      // Long work shows progress: a line a minute (requests, errors, the last memory sample, descriptors, load).
      const stopProgress = startProgress(
        'soak',
        60_000,
        async (lag) =>
          `requests=${requests} errors=${errors.length} gatewayMiB=${Math.round(gatewayMem.at(-1)?.[1] ?? 0)} ` +
          `instanceMiB=${Math.round(instanceMem.at(-1)?.[1] ?? 0)} fds=${fds.at(-1)} handles=${handles.at(-1)} ` +
          `lag=p99 ${lag.p99}ms max ${lag.max}ms load=${loadAverage()}`,
      );
      const client = async (tenant: string, pauseMs: number, c: number) => {
        const key = keys.get(tenant) as string;
        for (let i = c; Date.now() < end && i < 10_000_000; i++) {
          const path = i % 3 === 0 ? '/executions/load/quick?wait=true' : '/flows/search';
          try {
            const res = await fetch(`${t.url}/api/v1/${tenant}${path}`, {
              method: i % 3 === 0 ? 'POST' : 'GET',
              headers: { authorization: `Bearer ${key}` },
              signal: AbortSignal.timeout(30_000),
            });
            await res.text();
            requests += 1;
            if (res.status >= 300 && res.status !== 429 && res.status !== 503)
              errors.push(`${path} → ${res.status}`);
          } catch (err) {
            errors.push(`${path} → ${(err as Error).message}`);
          }
          if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
        }
      };
      await Promise.all([
        ...Array.from({ length: 8 }, (_, c) => client('busy', 0, c)),
        ...['idle1', 'idle2', 'idle3', 'idle4'].map((id, k) => client(id, 3_000 + k * 500, k)),
      ]);
      clearInterval(sampler);
      stopProgress();
      sample();
      const logBytes = [...keys.keys()].map((id) => {
        const dir = join(t.dataDir, 'tenants', id);
        return readdirSync(dir)
          .filter((f) => f.startsWith('instance.log'))
          .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
      });
      figures.record('soak', {
        requests,
        errors: errors.length,
        gatewayMiB: `${Math.round(gatewayMem[0]?.[1] ?? 0)}→${Math.round(gatewayMem.at(-1)?.[1] ?? 0)}`,
        gatewaySlopeMiBPerH: slope(gatewayMem.slice(Math.floor(gatewayMem.length / 4))).toFixed(1),
        instanceMiB: `${Math.round(instanceMem[0]?.[1] ?? 0)}→${Math.round(instanceMem.at(-1)?.[1] ?? 0)}`,
        instanceSlopeMiBPerH: slope(instanceMem.slice(Math.floor(instanceMem.length / 4))).toFixed(1),
        gatewayFds: `${fds[0]}→${fds.at(-1)}`,
        handles: `${handles[0]}→${handles.at(-1)}`,
        maxTenantLogMiB: (Math.max(...logBytes) / 2 ** 20).toFixed(1),
        loadAvg: loadAverage(),
      });
      expect(errors.slice(0, 10)).toEqual([]);
      expect(Math.max(...logBytes)).toBeLessThanOrEqual(LOG_BOUND);
      // Descriptors of the gateway: sockets come and go, but they must not pile up.
      expect((fds.at(-1) ?? 0) - (fds[0] ?? 0)).toBeLessThan(200);
    },
    (MINUTES + 5) * 60_000,
  );
});
