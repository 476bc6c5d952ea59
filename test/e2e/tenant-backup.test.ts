import { afterEach, describe, expect, it } from 'vitest';
import {
  deploy,
  executions,
  picture,
  sleepyFlow,
  startExecutions,
  tenantApi,
} from '../helpers/tenant-workload.js';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';

type Backup = {
  id: string;
  tenantId: string;
  sizeBytes: number;
  sha256: string;
  version: string;
  mode: string;
  executions: number;
};
type TenantView = { id: string; instance: { state: string; coldStarts: number } };

describe('tenant backups and restore (process runtime, real orchestrator)', () => {
  const gateways: TestGateway[] = [];
  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
  });

  it('backs up a tenant with 20 executions in flight, and a restore brings back exactly those, resumed', async () => {
    const t = await startTestGateway({ instance: 'orchestrator' });
    gateways.push(t);
    const api = tenantApi(t.url, 'acme', await t.tenant('acme'));
    await deploy(api, sleepyFlow('sleepy', 'PT4S'));
    expect((await api.call('PUT', '/namespaces/ops/kv/colour', '"blue"')).status).toBe(200);
    const inFlight = await startExecutions(api, 'sleepy', 20);
    await waitFor('20 executions running', async () =>
      (await executions(api)).filter((e) => e.state.current === 'RUNNING').length === 20 ? true : undefined,
    );

    const backup = await t.admin<Backup>('POST', '/admin/v1/tenants/acme/backups');
    expect(backup).toMatchObject({ tenantId: 'acme', mode: 'online', executions: 20, integrity: 'ok' });
    expect(backup.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(backup.sizeBytes).toBeGreaterThan(0);
    const view = await t.admin<TenantView>('GET', '/admin/v1/tenants/acme');
    expect(view.instance.state).toBe('running');

    // More work after the backup: a flow, executions, a KV change.
    await deploy(api, sleepyFlow('later', 'PT0S'));
    await startExecutions(api, 'later', 5);
    await api.call('PUT', '/namespaces/ops/kv/colour', '"red"');
    await api.call('PUT', '/namespaces/ops/kv/newer', '"x"');
    expect((await executions(api)).length).toBe(25);

    const listed = await t.admin<{ results: Backup[]; total: number }>(
      'GET',
      '/admin/v1/tenants/acme/backups',
    );
    expect(listed.results.map((b) => b.id)).toEqual([backup.id]);

    const restored = await t.admin<TenantView>('POST', '/admin/v1/tenants/acme/restore', {
      backupId: backup.id,
    });
    expect(restored.instance.state).toBe('running');
    const after = await executions(api);
    expect(after.map((e) => e.id).sort()).toEqual([...inFlight].sort());
    const flows = (await api.json<{ results: { id: string }[] }>('/flows/search')).results.map((f) => f.id);
    expect(flows).toEqual(['sleepy']);
    expect(await api.json<{ value: unknown }>('/namespaces/ops/kv/colour')).toMatchObject({ value: 'blue' });
    expect((await api.call('GET', '/namespaces/ops/kv/newer')).status).toBe(404);
    // Interrupted work resumes as after a crash: every restored execution finishes.
    await waitFor(
      'the restored executions to finish',
      async () => ((await executions(api)).every((e) => e.state.current === 'SUCCESS') ? true : undefined),
      30_000,
    );
  }, 120_000);

  it('backs up a stopped tenant without starting it, and answers clear errors', async () => {
    const t = await startTestGateway({ instance: 'orchestrator' });
    gateways.push(t);
    const api = tenantApi(t.url, 'quiet', await t.tenant('quiet'));
    await deploy(api, sleepyFlow('quick', 'PT0S'));
    await startExecutions(api, 'quick', 3);
    await waitFor('3 executions done', async () =>
      (await executions(api)).filter((e) => e.state.current === 'SUCCESS').length === 3 ? true : undefined,
    );
    await t.admin('POST', '/admin/v1/tenants/quiet/stop');
    const before = await t.admin<TenantView>('GET', '/admin/v1/tenants/quiet');
    expect(before.instance.state).toBe('stopped');

    const backup = await t.admin<Backup>('POST', '/admin/v1/tenants/quiet/backups');
    expect(backup).toMatchObject({ mode: 'offline', executions: 3 });
    const after = await t.admin<TenantView>('GET', '/admin/v1/tenants/quiet');
    expect(after.instance).toMatchObject({ state: 'stopped', coldStarts: before.instance.coldStarts });

    const post = (path: string, body: unknown) =>
      fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.gateway.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const badId = await post('/admin/v1/tenants/quiet/restore', { backupId: '../../etc' });
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { message: string }).message).toContain('backupId');
    const unknown = await post('/admin/v1/tenants/quiet/restore', { backupId: '20200101T000000Z-abcdef' });
    expect(unknown.status).toBe(404);
    await t.admin('POST', '/admin/v1/tenants', { id: 'fresh' });
    const never = await post('/admin/v1/tenants/fresh/backups', {});
    expect(never.status).toBe(409);
    expect(((await never.json()) as { message: string }).message).toContain('no data yet');

    // A broken archive is refused before anything is made; a bad id names the field.
    const importRaw = (id: string, body: Uint8Array) =>
      fetch(`${t.url}/admin/v1/tenants/import?id=${id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.gateway.adminToken}`, 'content-type': 'application/gzip' },
        body,
      });
    const garbage = await importRaw('broken', new TextEncoder().encode('not an archive'));
    expect(garbage.status).toBe(400);
    expect(
      (
        await fetch(`${t.url}/admin/v1/tenants/broken`, {
          headers: { authorization: `Bearer ${t.gateway.adminToken}` },
        })
      ).status,
    ).toBe(404);
    const badName = await importRaw('Not_An_Id', new Uint8Array(0));
    expect(badName.status).toBe(400);
    expect(((await badName.json()) as { message: string }).message).toMatch(/^id: /);

    // Restore into a new tenant id: the same work, a new key, the source untouched.
    const copy = await t.admin<TenantView & { key: { key: string } }>(
      'POST',
      '/admin/v1/tenants/quiet/restore',
      {
        backupId: backup.id,
        tenantId: 'quiet-copy',
      },
    );
    expect(copy.id).toBe('quiet-copy');
    const copyApi = tenantApi(t.url, 'quiet-copy', copy.key.key);
    expect((await picture(copyApi)).executions).toHaveLength(3);
  }, 120_000);
});
