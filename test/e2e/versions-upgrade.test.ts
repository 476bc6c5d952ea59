import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '@silo/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { deploy, picture, sleepyFlow, startExecutions, tenantApi } from '../helpers/tenant-workload.js';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';
import { BUILT_BUNDLE, brokenBundle, commandLineOf } from '../helpers/versions.js';

type VersionView = { version: string; current: boolean; installed: boolean; tenants: string[] };
type TenantView = {
  id: string;
  version: string | null;
  instance: { state: string; lastError: string | null };
};

/** Runs `silo …` against the gateway; resolves to what it printed and the error it ended with, if any. */
async function silo(t: TestGateway, ...args: string[]): Promise<{ out: string[]; error?: Error }> {
  const out: string[] = [];
  const io = { env: {}, print: (line: string) => out.push(line), readStdin: async () => '' };
  try {
    await buildProgram(io).parseAsync(['--url', t.url, '--token', t.gateway.adminToken, ...args], {
      from: 'user',
    });
    return { out };
  } catch (error) {
    return { out, error: error as Error };
  }
}

/** A status and the JSON of an admin call (no throw on an error status). */
async function adminRaw(t: TestGateway, method: string, path: string, body?: string) {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${t.gateway.adminToken}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body } : {}),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, body: (await res.json()) as { message?: string; code?: string } };
}

/** The entry the tenant's running instance was started from. */
async function runningEntry(t: TestGateway, id: string): Promise<string> {
  const status = await t.gateway.driver.inspect(id);
  expect(status.state).toBe('running');
  return commandLineOf(Number(status.ref));
}

/** A tenant with a flow, two finished executions and a KV entry. */
async function workload(t: TestGateway, id: string) {
  const api = tenantApi(t.url, id, await t.tenant(id));
  await deploy(api, sleepyFlow('quick', 'PT0S'));
  await startExecutions(api, 'quick', 2);
  expect((await api.call('PUT', '/namespaces/ops/kv/colour', '"blue"')).status).toBe(200);
  await waitFor('the executions to finish', async () => {
    const page = await api.json<{ results: { state: { current: string } }[] }>('/executions/search');
    return page.results.length === 2 && page.results.every((e) => e.state.current === 'SUCCESS');
  });
  return api;
}

describe('orchestrator versions side by side, upgrade and rollout (process runtime)', () => {
  const gateways: TestGateway[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('rolls a broken version back automatically: the tenant serves on the old version, nothing lost', async () => {
    const t = await startTestGateway({ instance: 'orchestrator' });
    gateways.push(t);
    const dir = mkdtempSync(join(tmpdir(), 'silo-broken-'));
    dirs.push(dir);
    const api = await workload(t, 'acme');
    const current = (await t.admin<{ current: string }>('GET', '/admin/v1/versions')).current;
    expect((await t.admin<TenantView>('GET', '/admin/v1/tenants/acme')).version).toBe(current);
    const before = await picture(api);

    const added = await silo(t, '--json', 'versions', 'add', '9.9.9-broken', '--bundle', brokenBundle(dir));
    expect(added.error).toBeUndefined();
    expect(JSON.parse(added.out.join('\n'))).toMatchObject({ version: '9.9.9-broken', installed: true });

    const upgrade = await silo(t, '--json', 'tenant', 'upgrade', 'acme', '--to', '9.9.9-broken');
    expect(upgrade.error?.message).toMatch(/acme was rolled back/);
    const result = JSON.parse(upgrade.out.join('\n')) as Record<string, string>;
    expect(result).toMatchObject({
      tenantId: 'acme',
      from: current,
      to: '9.9.9-broken',
      outcome: 'rolled-back',
    });
    expect(result.reason).toMatch(/failed at start: .*no_such_table_on_purpose/s);

    // Serving on the old version, from the gateway's own build, with everything the backup had.
    const view = await t.admin<TenantView>('GET', '/admin/v1/tenants/acme');
    expect(view).toMatchObject({
      version: current,
      instance: { state: 'running', lastError: result.reason },
    });
    expect(await runningEntry(t, 'acme')).not.toContain(join(t.dataDir, 'versions'));
    expect(await picture(api)).toEqual(before);
    expect(await api.json<{ value: unknown }>('/namespaces/ops/kv/colour')).toMatchObject({ value: 'blue' });
    await startExecutions(api, 'quick', 1);

    const versions = await t.admin<{ results: VersionView[] }>('GET', '/admin/v1/versions');
    expect(versions.results.find((v) => v.version === current)?.tenants).toEqual(['acme']);
    expect(versions.results.find((v) => v.version === '9.9.9-broken')?.tenants).toEqual([]);
    // A pre-release is never picked for new tenants.
    await t.tenant('newcomer');
    expect((await t.admin<TenantView>('GET', '/admin/v1/tenants/newcomer')).version).toBe(current);

    // Clear errors.
    const up = (id: string, body: string) => adminRaw(t, 'POST', `/admin/v1/tenants/${id}/upgrade`, body);
    expect(await up('nobody', '{"version":"9.9.9-broken"}')).toMatchObject({ status: 404 });
    const missing = await up('acme', '{"version":"7.7.7"}');
    expect(missing).toMatchObject({ status: 422, body: { code: 'UNPROCESSABLE' } });
    expect(missing.body.message).toMatch(/^version: orchestrator version 7.7.7 is not installed/);
    expect(await up('acme', `{"version":"${current}"}`)).toMatchObject({ status: 409 });
    const bad = await up('acme', '{"version":"../etc"}');
    expect(bad).toMatchObject({ status: 400 });
    expect(bad.body.message).toMatch(/^version: /);
    expect(await up('acme', '{"to":"9.9.9"}')).toMatchObject({ status: 400 });
    expect(
      await adminRaw(t, 'POST', '/admin/v1/versions', `{"version":"9.9.9-broken","bundle":"${dir}"}`),
    ).toMatchObject({
      status: 409,
    });
    expect(
      await adminRaw(t, 'POST', '/admin/v1/versions', '{"version":"8.0.0","bundle":"/nonexistent"}'),
    ).toMatchObject({
      status: 422,
    });
  });

  it('rolls a good version out in waves, each tenant then running its installed copy; stops at the first failure', async () => {
    const t = await startTestGateway({ instance: 'orchestrator' });
    gateways.push(t);
    const dir = mkdtempSync(join(tmpdir(), 'silo-broken-'));
    dirs.push(dir);
    const fleet = ['t-one', 't-two', 't-three', 't-four'];
    const api = await workload(t, 't-one');
    for (const id of fleet.slice(1)) await t.tenant(id);
    const before = await picture(api);

    const added = await silo(t, '--json', 'versions', 'add', '9.9.9', '--bundle', BUILT_BUNDLE);
    expect(added.error).toBeUndefined();
    await t.tenant('newcomer');
    expect((await t.admin<TenantView>('GET', '/admin/v1/tenants/newcomer')).version).toBe('9.9.9');

    const run = await silo(t, 'rollout', '--to', '9.9.9', '--batch', '50%');
    expect(run.error).toBeUndefined();
    const printed = run.out.join('\n');
    expect(printed).toContain('rollout to 9.9.9: 4 tenants on other versions, 2 waves of 2');
    expect(printed).toMatch(/^wave 1\/2: t-four, t-one$/m);
    expect(printed).toMatch(/^wave 2\/2: t-three, t-two$/m);
    expect(printed).toContain('rollout to 9.9.9: done, 4 upgraded');
    expect(printed).toMatch(/^failed: -\nleft: -$/m);
    const dataDir = t.dataDir;
    for (const id of fleet) {
      expect((await t.admin<TenantView>('GET', `/admin/v1/tenants/${id}`)).version).toBe('9.9.9');
      expect(await runningEntry(t, id)).toContain(join(dataDir, 'versions', '9.9.9', 'main.js'));
    }
    expect(await picture(api)).toEqual(before);
    const versions = await t.admin<{ results: VersionView[] }>('GET', '/admin/v1/versions');
    expect(versions.results[0]).toMatchObject({ version: '9.9.9', installed: true });
    expect([...(versions.results[0]?.tenants ?? [])].sort()).toEqual([...fleet, 'newcomer'].sort());

    // A broken version: the rollout stops at its first tenant, which keeps serving on 9.9.9.
    await silo(t, 'versions', 'add', '9.9.10-broken', '--bundle', brokenBundle(dir));
    const stopped = await silo(t, '--json', 'rollout', '--to', '9.9.10-broken', '--batch', '2');
    expect(stopped.error?.message).toMatch(/rollout stopped at newcomer/);
    const report = JSON.parse(stopped.out.join('\n')) as {
      moved: unknown[];
      failed: { tenantId: string; reason: string };
      left: string[];
      waves: number;
    };
    expect(report).toMatchObject({ moved: [], waves: 3, failed: { tenantId: 'newcomer' } });
    expect(report.failed.reason).toMatch(/no_such_table_on_purpose/);
    expect(report.left).toEqual(['t-four', 't-one', 't-three', 't-two']);
    expect((await t.admin<TenantView>('GET', '/admin/v1/tenants/newcomer')).version).toBe('9.9.9');
  });
});
