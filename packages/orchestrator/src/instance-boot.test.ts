import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, INSTANCE_MAIN, startInstanceProcess } from './testing/instance-process.js';

/**
 * The real entry (`dist/main.js`): it listens on `SILO_SOCKET` when set (the
 * process runtime), and it refuses a data folder that another live instance
 * holds (issue 19: two orchestrators on one SQLite folder must be impossible).
 */
const dir = mkdtempSync(join(tmpdir(), 'silo-boot-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function statusOverSocket(socketPath: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

describe('instance boot (dist/main.js)', () => {
  it('listens on SILO_SOCKET instead of a TCP port', async () => {
    const socketPath = join(dir, 'sock', 'instance.sock');
    mkdirSync(join(dir, 'sock'));
    const child = spawn(process.execPath, [INSTANCE_MAIN], {
      env: {
        ...process.env,
        SILO_TENANT_ID: 'socky',
        SILO_DATA_DIR: join(dir, 'socky'),
        SILO_SOCKET: socketPath,
      },
      stdio: 'ignore',
    });
    children.push(child);
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = await statusOverSocket(socketPath, '/readyz');
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }, 30_000);

  it('refuses to start on a data folder a live instance holds: exit 3, the lock named', async () => {
    const dataDir = join(dir, 'held');
    const first = await startInstanceProcess({ tenantId: 'held', port: await freePort(), dataDir });
    children.push(first);
    const second = spawn(process.execPath, [INSTANCE_MAIN], {
      env: {
        ...process.env,
        SILO_TENANT_ID: 'held',
        SILO_PORT: String(await freePort()),
        SILO_DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(second);
    let stderr = '';
    second.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    // Bounded: a second instance that did start would never exit by itself.
    const timer = setTimeout(() => second.kill('SIGKILL'), 15_000);
    const code = await new Promise<number | null>((r) => second.once('exit', (c) => r(c)));
    clearTimeout(timer);
    expect(code).toBe(3);
    expect(stderr).toContain(
      `another instance holds the data folder (lock ${join(dataDir, 'instance.lock')}`,
    );
    // Once the holder is gone (even by SIGKILL), the folder is free again.
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const third = await startInstanceProcess({ tenantId: 'held', port: await freePort(), dataDir });
    children.push(third);
    third.kill('SIGKILL');
    await new Promise((r) => third.once('exit', r));
  }, 60_000);
});
