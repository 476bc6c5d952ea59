import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '@silo/gateway';
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

describe('silo tenant backup|backups|restore|export|import (process runtime)', () => {
  let t: TestGateway | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('drives the operations end to end from the command line', async () => {
    t = await startTestGateway({ instance: 'orchestrator' });
    dir = mkdtempSync(join(tmpdir(), 'silo-cli-ops-'));
    const api = tenantApi(t.url, 'clio', await t.tenant('clio'));
    await deploy(api, sleepyFlow('quick', 'PT0S'));
    await startExecutions(api, 'quick', 2);
    await waitFor('2 executions done', async () =>
      (await executions(api)).every((e) => e.state.current === 'SUCCESS') ? true : undefined,
    );
    const silo = async (...args: string[]) => {
      const out: string[] = [];
      const io = { env: {}, print: (line: string) => out.push(line), readStdin: async () => '' };
      await buildProgram(io).parseAsync(
        ['--url', t!.url, '--token', t!.gateway.adminToken, '--json', ...args],
        { from: 'user' },
      );
      return JSON.parse(out.join('\n')) as Record<string, unknown>;
    };

    const backup = await silo('tenant', 'backup', 'clio');
    expect(backup).toMatchObject({ tenantId: 'clio', executions: 2 });
    const list = await silo('tenant', 'backups', 'clio');
    expect(list).toMatchObject({ total: 1 });
    const schedule = await silo('tenant', 'backups', 'clio', '--every', '1d', '--keep', '3');
    expect(schedule).toEqual({ every: '1d', keep: 3, source: 'tenant' });

    const file = join(dir, 'clio.tar.gz');
    const exported = await silo('tenant', 'export', 'clio', '-o', file);
    expect(exported.sizeBytes).toBe(statSync(file).size);
    const imported = (await silo('tenant', 'import', file, '--id', 'clio-two')) as { key: { key: string } };
    expect(await picture(tenantApi(t.url, 'clio-two', imported.key.key))).toEqual(await picture(api));

    await startExecutions(api, 'quick', 1);
    const restored = await silo('tenant', 'restore', 'clio', String(backup.id));
    expect(restored).toMatchObject({ id: 'clio' });
    expect(await executions(api)).toHaveLength(2);
  }, 120_000);
});
