import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GuardedChanges } from '@silo/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { deploy, picture, sleepyFlow, startExecutions, tenantApi } from '../helpers/tenant-workload.js';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';

type View = { instance: { state: string; lastError: string | null } };

/** A tenant with two finished executions, a flow and a KV entry. */
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

describe('guarded change (process runtime, real orchestrator)', () => {
  const gateways: TestGateway[] = [];
  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
  });

  it('applies a change that passes the smoke check, leaving the data as it was', async () => {
    const t = await startTestGateway({ instance: 'orchestrator' });
    gateways.push(t);
    const api = await workload(t, 'acme');
    const before = await picture(api);
    const guard = t.gateway.operations.guard as GuardedChanges;
    const steps: string[] = [];
    const result = await guard.run('acme', {
      name: 'no-op',
      apply: () => void steps.push('apply'),
      undo: () => void steps.push('undo'),
    });
    expect(result).toMatchObject({ outcome: 'applied', reason: null });
    expect(steps).toEqual(['apply']);
    // The smoke check's health flow and execution are gone again.
    expect(await picture(api)).toEqual(before);
    const backups = await t.admin<{ results: { id: string; trigger: string }[] }>(
      'GET',
      '/admin/v1/tenants/acme/backups',
    );
    expect(backups.results).toEqual([expect.objectContaining({ id: result.backupId, trigger: 'guard' })]);
    const view = await t.admin<View>('GET', '/admin/v1/tenants/acme');
    expect(view.instance).toMatchObject({ state: 'running', lastError: null });
  });

  it('rolls back a change after which the instance does not start: backup restored, change undone, reason kept', async () => {
    const t = await startTestGateway({ instance: 'orchestrator' });
    gateways.push(t);
    const api = await workload(t, 'acme');
    const before = await picture(api);
    const data = join(
      (t.gateway.driver as unknown as { tenantDir(id: string): string }).tenantDir('acme'),
      'data',
    );
    const guard = t.gateway.operations.guard as GuardedChanges;
    const steps: string[] = [];
    const result = await guard.run('acme', {
      name: 'break the database',
      apply: () => {
        steps.push('apply');
        for (const f of readdirSync(data)) if (f.startsWith('silo.db-')) rmSync(join(data, f));
        writeFileSync(join(data, 'silo.db'), 'not a database '.repeat(1000));
      },
      undo: () => void steps.push('undo'),
    });
    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toMatch(/^break the database failed at start: /);
    expect(steps).toEqual(['apply', 'undo']);
    expect(await picture(api)).toEqual(before);
    expect(await api.json<{ value: unknown }>('/namespaces/ops/kv/colour')).toMatchObject({ value: 'blue' });
    const view = await t.admin<View>('GET', '/admin/v1/tenants/acme');
    expect(view.instance.state).toBe('running');
    expect(view.instance.lastError).toBe(result.reason);
  });

  it('rolls back when the check fails after a good start, and refuses a second change at once (409)', async () => {
    const t = await startTestGateway({ instance: 'orchestrator' });
    gateways.push(t);
    const api = await workload(t, 'acme');
    const ops = t.gateway.operations;
    const guard = new GuardedChanges({
      ops: ops.ops as NonNullable<typeof ops.ops>,
      registry: t.gateway.registry,
      manager: t.gateway.manager,
      logger: t.gateway.logger,
      check: async () => {
        await deploy(api, sleepyFlow('made-by-the-change', 'PT0S'));
        throw new Error('the health execution ended FAILED');
      },
    });
    const before = await picture(api);
    const running = guard.run('acme', { name: 'dialect 2.0', apply: () => undefined, undo: () => undefined });
    await expect(
      guard.run('acme', { name: 'twin', apply: () => undefined, undo: () => undefined }),
    ).rejects.toThrow(/in progress/);
    const result = await running;
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      reason: 'dialect 2.0 failed at check: the health execution ended FAILED',
    });
    // What the failed change wrote is gone with the restore.
    expect(await picture(api)).toEqual(before);
  });
});
