import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { createOrchestrator, type Orchestrator, type OrchestratorOptions } from '../orchestrator.js';

/** An orchestrator started in process on a fresh temp data folder; `close()` stops it and removes the folder. */
export type TestOrchestrator = Orchestrator & { dir: string; close(): Promise<void> };

/**
 * Starts the real orchestrator (real SQLite in a temp folder, silent logs, a
 * 100 ms shutdown grace) for in-process tests that call `app.request()`.
 *
 * @example
 * let orch: TestOrchestrator;
 * beforeEach(async () => { orch = await startTestOrchestrator('exec'); });
 * afterEach(() => orch.close());
 */
export async function startTestOrchestrator(
  name: string,
  options: OrchestratorOptions & { tenantId?: string; env?: Record<string, string> } = {},
): Promise<TestOrchestrator> {
  const dir = mkdtempSync(join(tmpdir(), `silo-${name}-`));
  const { tenantId = 'acme', env = {}, ...orchestratorOptions } = options;
  const orch = createOrchestrator(
    loadConfig({ SILO_TENANT_ID: tenantId, SILO_DATA_DIR: dir, SILO_SHUTDOWN_GRACE_MS: '100', ...env }),
    pino({ level: 'silent' }),
    orchestratorOptions,
  );
  await orch.start();
  return {
    ...orch,
    dir,
    async close() {
      await orch.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
