import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The built instance entry (`npx tsc -b` first). */
export const INSTANCE_MAIN = join(import.meta.dirname, '../../dist/main.js');

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the real orchestrator (`dist/main.js`) as a child process and waits,
 * at most `readyTimeoutMs`, until its `/readyz` answers 200. The caller kills
 * it (and should SIGKILL leftovers in `afterAll`).
 *
 * @example
 * const child = await startInstanceProcess({ tenantId: 'crash', port, dataDir });
 */
export async function startInstanceProcess(options: {
  tenantId: string;
  port: number;
  dataDir: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [INSTANCE_MAIN], {
    env: {
      ...process.env,
      SILO_TENANT_ID: options.tenantId,
      SILO_PORT: String(options.port),
      SILO_DATA_DIR: options.dataDir,
      SILO_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const end = Date.now() + (options.readyTimeoutMs ?? 15_000);
  while (Date.now() < end) {
    if (child.exitCode !== null) {
      throw new Error(`instance ${options.tenantId} exited with code ${child.exitCode} before it was ready`);
    }
    try {
      if ((await fetch(`http://127.0.0.1:${options.port}/readyz`)).status === 200) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(
    `instance ${options.tenantId} did not become ready within ${options.readyTimeoutMs ?? 15_000} ms`,
  );
}
