import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testImage } from '../docker/orchestrator-image.js';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import { freePort } from '../helpers/free-port.js';
import { adminClient, waitFor } from '../helpers/test-gateway.js';
import { figureTable } from './figures.js';

/**
 * Issue 19 §2 on the Docker runtime (the process runtime's twin test is
 * test/e2e/gateway-kill-cold-starts.test.ts): the gateway (`silo serve`, a
 * real child process) is SIGKILLed while it cold-starts 6 tenants at once.
 * The held requests end (a connection error: their gateway is gone), none
 * hangs; the next gateway adopts the containers that came up, starts the
 * rest, answers every tenant, and no tenant ever has two containers.
 */
const reason = await dockerUnavailableReason();
// Built (or found by content hash) once, so the gateway under test finds its default image ready.
if (reason === undefined) await testImage();
const figures = figureTable('gateway SIGKILL during concurrent cold starts (Docker runtime)');
const GATEWAY_MAIN = fileURLToPath(new URL('../../gateway/dist/main.js', import.meta.url));
const ADMIN = 'gk-admin-token-0123456789abcdef';
const TENANTS = 6;

describeDocker(reason, 'reliability: gateway SIGKILL during Docker cold starts', () => {
  const docker = new Docker();
  const scope = `gk-${randomBytes(3).toString('hex')}`;
  const ids = Array.from({ length: TENANTS }, (_, i) => `gk-${i}`);
  const children: ChildProcess[] = [];
  let dataDir: string;
  let url: string;
  let env: NodeJS.ProcessEnv;
  /** Containers of this run per tenant: [id, running]. */
  const containers = async () => {
    const list = await docker.listContainers({ all: true, filters: { label: [`silo.scope=${scope}`] } });
    const byTenant = new Map<string, { id: string; running: boolean }[]>();
    for (const c of list) {
      const tenant = c.Labels['silo.tenant'] ?? '?';
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), { id: c.Id, running: c.State === 'running' }]);
    }
    return byTenant;
  };
  const boot = async () => {
    // Its log in the data folder, printed when the test fails.
    const log = openSync(join(dataDir, `gateway-${children.length}.log`), 'a');
    const child = spawn(process.execPath, [GATEWAY_MAIN, 'serve', '--no-demo'], {
      env,
      stdio: ['ignore', log, log],
    });
    children.push(child);
    await waitFor(
      'the gateway',
      () =>
        fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
    );
    return child;
  };

  beforeAll(async () => {
    expect(existsSync(GATEWAY_MAIN), 'build first: npm run build').toBe(true);
    dataDir = mkdtempSync(join(tmpdir(), 'silo-gk-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      ...process.env,
      SILO_DATA_DIR: dataDir,
      SILO_PORT: String(port),
      SILO_RUNTIME: 'docker',
      SILO_SCOPE: scope,
      SILO_ADMIN_TOKEN: ADMIN,
      SILO_LOG_LEVEL: process.env.SILO_TEST_LOG ?? 'warn',
      SILO_START_TIMEOUT: '120s',
    };
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    const left = await docker.listContainers({ all: true, filters: { label: [`silo.scope=${scope}`] } });
    await Promise.all(
      left.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {}),
      ),
    );
    const volumes = (await docker.listVolumes({ filters: { label: [`silo.scope=${scope}`] } })).Volumes ?? [];
    await Promise.all(
      volumes.map((v) =>
        docker
          .getVolume(v.Name)
          .remove({ force: true })
          .catch(() => {}),
      ),
    );
    const networks = await docker.listNetworks({ filters: { label: [`silo.scope=${scope}`] } });
    await Promise.all(
      networks.map((n) =>
        docker
          .getNetwork(n.Id)
          .remove()
          .catch(() => {}),
      ),
    );
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 180_000);

  it('ends every held request, then serves every tenant with one container each, adopting what came up', async () => {
    const first = await boot();
    const admin = adminClient(url, ADMIN);
    const keys = new Map<string, string>();
    for (const id of ids) {
      await admin('POST', '/admin/v1/tenants', { id });
      keys.set(id, (await admin<{ key: string }>('POST', `/admin/v1/tenants/${id}/keys`, {})).key);
    }
    const answers: string[] = [];
    const hit = (id: string) =>
      fetch(`${url}/api/v1/${id}/flows/search`, {
        headers: { authorization: `Bearer ${keys.get(id)}` },
        signal: AbortSignal.timeout(180_000),
      }).then(
        async (r) => {
          if (r.status !== 200) answers.push(`${id}: ${r.status} ${(await r.text()).slice(0, 300)}`);
          return r.status;
        },
        () => 0,
      );

    const inFlight = ids.map(hit);
    const runningAtKill = await waitFor(
      'a few containers to run',
      async () => {
        const up = [...(await containers()).values()].filter((cs) => cs.some((c) => c.running)).length;
        return up >= 3 ? up : undefined;
      },
      120_000,
    );
    const before = await containers();
    first.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((r) => first.once('exit', r));
    const held = await Promise.all(inFlight);
    const heldEndedMs = Date.now() - killedAt;

    await boot();
    const statuses = await Promise.all(ids.map(hit));
    const after = await containers();
    const twins = [...after].filter(([, cs]) => cs.filter((c) => c.running).length > 1);
    const adopted = [...before].filter(([tenant, cs]) =>
      cs.some((c) => c.running && after.get(tenant)?.some((a) => a.id === c.id && a.running)),
    ).length;
    figures.record('gateway SIGKILL', {
      tenants: TENANTS,
      runningAtKill,
      heldRequests: held.length,
      heldAnswered200: held.filter((s) => s === 200).length,
      heldEndedMs,
      answered200After: statuses.filter((s) => s === 200).length,
      adopted,
      twins: twins.length,
    });
    if (statuses.some((s) => s !== 200)) {
      process.stdout.write(
        `${answers.join('\n')}\n${readFileSync(join(dataDir, 'gateway-1.log'), 'utf8')
          .split('\n')
          .filter((l) => !l.includes('"proxied"'))
          .join('\n')
          .slice(-20000)}\n`,
      );
    }
    // Held requests end when their gateway dies (none may hang until its timeout).
    expect(heldEndedMs).toBeLessThan(10_000);
    expect(twins).toEqual([]);
    expect(statuses).toEqual(ids.map(() => 200));
    for (const [, cs] of after) expect(cs.filter((c) => c.running)).toHaveLength(1);
    expect(adopted).toBeGreaterThanOrEqual(1);
  }, 600_000);
});
