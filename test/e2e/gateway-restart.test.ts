import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wakeLeadOf } from '@silo/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import {
  pidAlive,
  scrapeMetrics,
  startTestGateway,
  type TestGateway,
  waitFor,
} from '../helpers/test-gateway.js';

const GATEWAY_MAIN = fileURLToPath(new URL('../../gateway/dist/main.js', import.meta.url));
const ADMIN = 'restart-admin-token-0123456789';

describe('gateway restart', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.reverse()) await fn();
    cleanups.length = 0;
  });

  it('adopts running instances after the gateway is killed (same pids, no second start)', async () => {
    expect(existsSync(GATEWAY_MAIN), 'build first: npx tsc -b').toBe(true);
    const dataDir = mkdtempSync(join(tmpdir(), 'silo-restart-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      SILO_DATA_DIR: dataDir,
      SILO_PORT: String(port),
      SILO_RUNTIME: 'process',
      SILO_ADMIN_TOKEN: ADMIN,
      SILO_LOG_LEVEL: 'warn',
    };
    const children: ChildProcess[] = [];
    const boot = async () => {
      const child = spawn(process.execPath, [GATEWAY_MAIN, 'serve', '--no-demo'], { env, stdio: 'ignore' });
      children.push(child);
      await waitFor(
        'the gateway',
        () =>
          fetch(`${url}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        20_000,
      );
      return child;
    };
    const admin = async <T>(method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return (await res.json()) as T;
    };
    cleanups.push(async () => {
      for (const c of children) c.kill('SIGKILL');
      const record = join(dataDir, 'tenants', 'phoenix', 'instance.json');
      if (existsSync(record)) {
        const { pid } = JSON.parse(readFileSync(record, 'utf8')) as { pid: number };
        if (pidAlive(pid)) process.kill(pid, 'SIGTERM');
        await waitFor('the instance to exit', () => !pidAlive(pid), 10_000).catch(() =>
          process.kill(pid, 'SIGKILL'),
        );
      }
      rmSync(dataDir, { recursive: true, force: true });
    });

    const first = await boot();
    await admin('POST', '/admin/v1/tenants', { id: 'phoenix' });
    const { key } = await admin<{ key: string }>('POST', '/admin/v1/tenants/phoenix/keys', {});
    const auth = { authorization: `Bearer ${key}` };
    expect((await fetch(`${url}/api/v1/phoenix/flows/search`, { headers: auth })).status).toBe(200);
    const before = await admin<{ instance: { ref: string; coldStarts: number } }>(
      'GET',
      '/admin/v1/tenants/phoenix',
    );
    expect(before.instance.coldStarts).toBe(1);

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(pidAlive(Number(before.instance.ref))).toBe(true);

    await boot();
    const after = await admin<{ instance: { ref: string; coldStarts: number; state: string } }>(
      'GET',
      '/admin/v1/tenants/phoenix',
    );
    expect(after.instance).toMatchObject({ state: 'running', ref: before.instance.ref, coldStarts: 1 });
    expect((await fetch(`${url}/api/v1/phoenix/flows/search`, { headers: auth })).status).toBe(200);
    const metrics = await scrapeMetrics(url, ADMIN);
    expect(metrics).toMatch(/silo_adopted_instances_total 1/);
    expect(metrics).not.toMatch(/silo_cold_starts_total\{/);
  });

  it('fires a wake timer that an instance set, after the gateway restarted in between', async () => {
    let t: TestGateway = await startTestGateway({ reportIntervalMs: 100 });
    const dataDir = t.dataDir;
    cleanups.push(() => t.stop());
    const key = await t.tenant('alarm');
    const wakeAt = new Date(Date.now() + 4_500).toISOString();
    const set = await fetch(`${t.url}/api/v1/alarm/stub/state`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ busy: false, nextWakeAt: wakeAt, nextWakeReason: 'schedule' }),
    });
    expect(set.status).toBe(200);
    await waitFor('the wake time to be stored', async () => {
      const v = await t.admin<{ instance: { nextWakeAt: string | null } }>('GET', '/admin/v1/tenants/alarm');
      return v.instance.nextWakeAt === wakeAt;
    });
    await t.admin('POST', '/admin/v1/tenants/alarm/stop');
    await t.stop({ keepData: true });

    t = await startTestGateway({ dataDir });
    const starts = () =>
      readFileSync(join(dataDir, 'tenants', 'alarm', 'data', 'starts.log'), 'utf8')
        .trim()
        .split('\n');
    expect(starts()).toHaveLength(1);
    await waitFor('the wake-up', () => starts().length === 2, 10_000);
    // The gateway starts the instance its lead before its nextWakeAt, so that it is ready when its
    // own timer fires: SILO_WAKE_LEAD (default 2 s) spread per tenant over [lead, 2 × lead).
    const lead = wakeLeadOf('alarm', 2_000);
    const earlyMs = Date.parse(wakeAt) - Date.now();
    process.stdout.write(
      `[measure] wake timer started the instance ${earlyMs} ms before nextWakeAt (lead ${lead} ms, across a gateway restart)\n`,
    );
    expect(earlyMs).toBeGreaterThan(0);
    expect(earlyMs).toBeLessThanOrEqual(lead);
    expect(earlyMs).toBeGreaterThan(500);
    expect(await t.metrics()).toMatch(/silo_wake_ups_total\{reason="schedule"\} 1/);
  });
});
