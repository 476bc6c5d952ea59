import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeDriverContract } from '../runtime-driver.contract.js';
import { ProcessDriver } from './process-driver.js';

const dataDir = mkdtempSync(join(tmpdir(), 'silo-process-driver-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

runtimeDriverContract('process', () => new ProcessDriver({ dataDir, pidCheckMs: 100 }), {
  readyTimeoutMs: 15_000,
  killFromOutside: async (status) => {
    process.kill(Number(status.ref), 'SIGKILL');
  },
});

describe('ProcessDriver folders', () => {
  it('creates tenants/, the tenant folder and its data folder owner-only (no sandbox: nothing for others)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'silo-process-modes-'));
    const driver = new ProcessDriver({ dataDir: root, pidCheckMs: 100, isolation: 'off' });
    const id = `modes-${randomBytes(3).toString('hex')}`;
    try {
      await driver.start({ tenantId: id, instanceToken: randomBytes(24).toString('hex') });
      const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
      const tenants = join(root, 'tenants');
      expect([mode(tenants), mode(join(tenants, id)), mode(join(tenants, id, 'data'))]).toEqual([
        '700',
        '700',
        '700',
      ]);
    } finally {
      await driver.remove(id, { purge: true }).catch(() => undefined);
      await driver.close?.();
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
