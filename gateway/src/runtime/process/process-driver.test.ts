import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
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
