import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DockerGateway, removeDataDir, startDockerGateway } from '../docker/docker-gateway.js';
import { testImage } from '../docker/orchestrator-image.js';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import { figureTable } from './figures.js';
import { LONG, QUICK_FLOW } from './load-kit.js';
import { copyImage, type OwnDockerd, ownDockerdUnavailableReason, startOwnDockerd } from './own-dockerd.js';

/**
 * Issue 19 §3: the Docker engine restarts under a running gateway. The test
 * runs its own dockerd (own socket, data root and address pool: the shared
 * engine is never touched), serves three tenants on it, stops the engine
 * (their containers die with it), checks that a request during the outage is
 * answered with an error rather than held, starts the engine again, and
 * measures the seconds until the first and the last tenant answer again —
 * with their data intact.
 */
// Long mode only (npm run soak): restarting an engine of its own can delete the host's docker0 (own-dockerd.ts).
const reason = LONG ? ((await dockerUnavailableReason()) ?? ownDockerdUnavailableReason()) : undefined;
const suite: typeof describeDocker = LONG
  ? describeDocker
  : (_reason, name, body) => describe.skip(name, body);
const image = LONG && reason === undefined ? await testImage() : undefined;
const figures = figureTable('Docker engine restart under a running gateway (own dockerd)');
const TENANTS = ['er-a', 'er-b', 'er-c'];

suite(reason, 'reliability: Docker engine restart (long mode)', () => {
  const run = randomBytes(4).toString('hex');
  let own: OwnDockerd;
  let g: DockerGateway;
  const keys = new Map<string, string>();
  beforeAll(async () => {
    own = await startOwnDockerd();
    await copyImage(new Docker(), own.docker, image?.tag as string);
    g = await startDockerGateway({
      image: image?.tag as string,
      docker: own.docker,
      labels: { 'silo.test-run': run },
      env: { SILO_START_TIMEOUT: '60s' },
    });
    for (const id of TENANTS) keys.set(id, await g.tenant(id));
  }, 300_000);
  afterAll(async () => {
    await g?.close({ stopInstances: true }).catch(() => {});
    if (g) removeDataDir(g.dataDir);
    await own?.dispose();
  }, 120_000);

  const call = (tenant: string, method: string, path: string, body?: string, timeoutMs = 90_000) =>
    fetch(`${g.url}/api/v1/${tenant}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${keys.get(tenant)}`,
        ...(body ? { 'content-type': 'application/x-yaml' } : {}),
      },
      ...(body ? { body } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  /** Runs the quick flow and waits for it: its id when it ended in SUCCESS, else undefined. */
  const runQuick = async (tenant: string): Promise<string | undefined> => {
    const res = await call(tenant, 'POST', '/executions/load/quick?wait=true', undefined, 20_000).catch(
      () => undefined,
    );
    if (res?.status !== 200) return undefined;
    const execution = (await res.json()) as { id: string; state: { current: string } };
    return execution.state.current === 'SUCCESS' ? execution.id : undefined;
  };

  it('serves every tenant again after the engine comes back, data intact, no request held during the outage', async () => {
    const before = new Map<string, string | undefined>();
    const coldStarts: number[] = [];
    for (const id of TENANTS) {
      const asked = Date.now();
      const res = await call(id, 'POST', '/flows', QUICK_FLOW);
      expect(res.status, await res.text()).toBe(200);
      coldStarts.push(Date.now() - asked);
      before.set(id, await runQuick(id));
      expect(before.get(id), id).toBeDefined();
    }

    await own.stop();
    const outageAsked = Date.now();
    const during = await call('er-a', 'GET', '/flows/search').then(
      (r) => r.status,
      () => 0,
    );
    const outageAnswerMs = Date.now() - outageAsked;
    // Answered with an error (503 + Retry-After, or a 502 while the dead container is noticed), not held.
    expect(during).toBeGreaterThanOrEqual(500);

    const restarted = Date.now();
    await own.start();
    const engineUpMs = Date.now() - restarted;
    const backAt = new Map<string, number>();
    const deadline = Date.now() + 120_000;
    while (backAt.size < TENANTS.length && Date.now() < deadline) {
      await Promise.all(
        TENANTS.filter((id) => !backAt.has(id)).map(async (id) => {
          if ((await runQuick(id)) !== undefined) backAt.set(id, Date.now() - restarted);
        }),
      );
      if (backAt.size < TENANTS.length) await new Promise((r) => setTimeout(r, 250));
    }
    const times = [...backAt.values()].sort((a, b) => a - b);
    figures.record('engine restart', {
      tenants: TENANTS.length,
      // The same machine's cold start before the outage: the floor of "back" below.
      coldStartBeforeS: (Math.max(...coldStarts) / 1000).toFixed(1),
      outageStatus: during,
      outageAnswerMs,
      engineUpS: (engineUpMs / 1000).toFixed(1),
      firstTenantBackS: times[0] !== undefined ? (times[0] / 1000).toFixed(1) : 'never',
      allBackS: times.length === TENANTS.length ? ((times.at(-1) ?? 0) / 1000).toFixed(1) : 'never',
    });
    expect([...backAt.keys()].sort()).toEqual([...TENANTS].sort());

    // Nothing lost: each tenant still has the execution it ran before the outage.
    for (const id of TENANTS) {
      const res = await call(id, 'GET', `/executions/${before.get(id)}`);
      expect(res.status, id).toBe(200);
      expect(((await res.json()) as { state: { current: string } }).state.current, id).toBe('SUCCESS');
    }
  }, 400_000);
});
