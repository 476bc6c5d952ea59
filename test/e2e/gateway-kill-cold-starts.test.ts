import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { adminClient, waitFor } from '../helpers/test-gateway.js';

const GATEWAY_MAIN = fileURLToPath(new URL('../../gateway/dist/main.js', import.meta.url));
const ADMIN = 'twins-admin-token-0123456789';
const TENANTS = 20;

/** Live orchestrator processes per tenant of this run, found by their own environment (root sees every process's). */
function liveInstances(prefix: string): Map<string, number[]> {
  const byTenant = new Map<string, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (!argv.some((a) => a.includes('packages/orchestrator/dist')) || argv[0]?.endsWith('bwrap')) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (/\) [ZX] /.test(stat)) continue;
      const env = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      const tenant = env.find((e) => e.startsWith('SILO_TENANT_ID='))?.slice('SILO_TENANT_ID='.length);
      if (tenant?.startsWith(prefix)) byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), Number(name)]);
    } catch {
      // gone meanwhile, or not readable: not one of ours
    }
  }
  return byTenant;
}

/**
 * Issue 19, "twin instances": a gateway SIGKILLed during 20 concurrent cold
 * starts used to leave instances its record did not name, and the next
 * gateway started a second orchestrator on the same SQLite folder. Now the
 * record is written before the spawn, the next gateway adopts or stops what
 * runs untracked, and an instance refuses a data folder another one holds.
 */
describe('gateway SIGKILLed during 20 concurrent cold starts (process runtime, real orchestrators)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.reverse()) await fn();
    cleanups.length = 0;
  });

  it('leaves no tenant data folder with two live instances after the next gateway starts', async () => {
    expect(existsSync(GATEWAY_MAIN), 'build first: npm run build').toBe(true);
    const dataDir = mkdtempSync(join(tmpdir(), 'silo-twins-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const prefix = `tw${Date.now().toString(36)}`;
    const ids = Array.from({ length: TENANTS }, (_, i) => `${prefix}-${i}`);
    const env = {
      ...process.env,
      SILO_DATA_DIR: dataDir,
      SILO_PORT: String(port),
      SILO_RUNTIME: 'process',
      SILO_ADMIN_TOKEN: ADMIN,
      SILO_LOG_LEVEL: 'warn',
      SILO_START_TIMEOUT: '90s',
      SILO_ALLOW_UNISOLATED: '1',
    };
    const children: ChildProcess[] = [];
    const boot = async (flags: string[] = []) => {
      const child = spawn(process.execPath, [GATEWAY_MAIN, 'serve', '--no-demo', ...flags], {
        env,
        stdio: 'ignore',
      });
      children.push(child);
      await waitFor(
        'the gateway',
        () =>
          fetch(`${url}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
      );
      return child;
    };
    cleanups.push(async () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      for (const pids of liveInstances(prefix).values()) for (const pid of pids) process.kill(pid, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });
    const admin = adminClient(url, ADMIN);
    const first = await boot();
    const keys = new Map<string, string>();
    for (const id of ids) {
      await admin('POST', '/admin/v1/tenants', { id });
      keys.set(id, (await admin<{ key: string }>('POST', `/admin/v1/tenants/${id}/keys`, {})).key);
    }
    const hit = (id: string) =>
      fetch(`${url}/api/v1/${id}/flows/search`, {
        headers: { authorization: `Bearer ${keys.get(id)}` },
        signal: AbortSignal.timeout(120_000),
      }).then(
        (r) => r.status,
        () => 0,
      );
    // 20 cold starts at once; SIGKILL the gateway once a few instances are spawned and recorded.
    const inFlight = ids.map(hit);
    const spawnedAtKill = await waitFor(
      'a few instances to be spawned',
      () => {
        const n = liveInstances(prefix).size;
        return n >= 3 ? n : undefined;
      },
      60_000,
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    await Promise.all(inFlight);
    const orphansAtKill = liveInstances(prefix).size;
    // Records the killed gateway wrote before spawning but never completed with a pid: the race window.
    const unrecorded = ids.filter((id) => {
      const record = join(dataDir, 'tenants', id, 'instance.json');
      return (
        existsSync(record) && (JSON.parse(readFileSync(record, 'utf8')) as { pid?: number }).pid === undefined
      );
    }).length;

    await boot(['--stop-instances-on-exit']);
    const statuses = await Promise.all(ids.map(hit));
    const live = liveInstances(prefix);
    const twins = [...live].filter(([, pids]) => pids.length > 1);
    const refused = ids.filter((id) => {
      const log = join(dataDir, 'tenants', id, 'instance.log');
      return existsSync(log) && readFileSync(log, 'utf8').includes('another instance holds the data folder');
    });
    process.stdout.write(
      `\n[twins] ${TENANTS} concurrent cold starts; gateway SIGKILLed with ${spawnedAtKill} instances up, ` +
        `${orphansAtKill} running after the kill (${unrecorded} records without a pid); next gateway: ${statuses.filter((s) => s === 200).length}/${TENANTS} answered 200, ` +
        `${live.size} tenants with a live instance, ${twins.length} with two or more (want 0), ` +
        `${refused.length} second instances refused by the data-folder lock\n`,
    );
    expect(twins).toEqual([]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    for (const [, pids] of live) expect(pids).toHaveLength(1);
  }, 300_000);
});
