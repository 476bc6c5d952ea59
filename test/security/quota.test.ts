import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startTestGateway, type TestGateway, tenantWithKey } from '../helpers/test-gateway.js';
import { FILL_FLOW, SMALL_FLOW, tenantApi } from './quota-kit.js';
import { securityTable } from './report.js';

/**
 * Issue 12, finding 4, on the process runtime with the real orchestrator: a
 * tenant's task that writes 200 MB is stopped at its 20 MB quota with an
 * error naming it, its SQLite file passes integrity_check, a neighbour is
 * untouched, and the admin API shows the usage. (Docker: hardening.test.ts.)
 */
const attack = securityTable('storage quota (process runtime)');

describe('security: storage quota', () => {
  let t: TestGateway;
  let filler: ReturnType<typeof tenantApi>;
  let neighbour: ReturnType<typeof tenantApi>;

  beforeAll(async () => {
    t = await startTestGateway({ instance: 'orchestrator', reportIntervalMs: 200 });
    filler = tenantApi(t.url, 'filler', await tenantWithKey(t.admin, 'filler', { storageMb: 20 }));
    neighbour = tenantApi(t.url, 'neighbour', await t.tenant('neighbour'));
    await filler.deploy(FILL_FLOW);
    await neighbour.deploy(SMALL_FLOW);
  });
  afterAll(async () => {
    await t?.stop();
  });

  attack('4 disk quota', 'a shell task writes 200 MB with head -c', 'process', async () => {
    const e = await filler.run('attack', 'fill');
    expect(e.state.current).toBe('FAILED');
    expect(await filler.errors(e.id)).toMatch(/storage quota of 20 MB \(storageMb\)/);
  });

  attack('4 disk quota', 'KV values past the quota: 507 naming storageMb', 'process', async () => {
    let status = 0;
    for (let i = 0; i < 40 && status !== 507; i++)
      status = await filler.putKv('fill', `k${i}`, 'x'.repeat(900_000));
    expect(status).toBe(507);
  });

  attack(
    '4 disk quota',
    'SQLite passes integrity_check after; the tenant still works',
    'process',
    async () => {
      await t.admin('POST', '/admin/v1/tenants/filler/stop');
      const db = new Database(join(t.dataDir, 'tenants', 'filler', 'data', 'silo.db'), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
      expect((await filler.call('/flows/search')).status).toBe(200);
    },
  );

  attack('4 disk quota', 'a neighbour is untouched (its own writes succeed)', 'process', async () => {
    expect((await neighbour.run('work', 'small')).state.current).toBe('SUCCESS');
    expect(await neighbour.putKv('work', 'k', 'x'.repeat(900_000))).toBeLessThan(300);
  });

  attack('4 disk quota', 'the admin API shows usage and limit', 'process', async () => {
    await neighbour.call('/flows/search');
    const view = await t.admin<{ storage: { usedMb: number | null; limitMb: number } }>(
      'GET',
      '/admin/v1/tenants/filler',
    );
    expect(view.storage.limitMb).toBe(20);
    expect(view.storage.usedMb).toBeGreaterThan(0);
    expect(view.storage.usedMb).toBeLessThanOrEqual(20);
    const other = await t.admin<{ storage: { limitMb: number } }>('GET', '/admin/v1/tenants/neighbour');
    expect(other.storage.limitMb).toBe(1024);
  });
});
