// One real boot of the bundled instance that leaves V8's code cache beside it
// (bundle-entry.mjs writes it on exit when SILO_CODE_CACHE_WRITE=1): a
// scratch data folder, a unix socket, `GET /readyz` until 200, one API
// request (so the request path is compiled too), then SIGTERM. Bounded: 60 s.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOKEN = 'code-cache-boot-token';

function get(socketPath, path) {
  return new Promise((resolve) => {
    const req = request(
      { socketPath, path, agent: false, timeout: 2_000, headers: { 'x-silo-instance-token': TOKEN } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/**
 * Boots `entry` once and returns `{ ok, bytes, ms }`, or `{ ok: false, reason }`
 * when no cache came of it (the bundle still works without one).
 */
export async function writeCodeCache(entry) {
  const cacheFile = join(entry, '..', 'instance.cjs.cache');
  rmSync(cacheFile, { force: true });
  const dir = mkdtempSync(join(tmpdir(), 'silo-code-cache-'));
  const socketPath = join(dir, 'instance.sock');
  const started = performance.now();
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH,
      SILO_TENANT_ID: 'code-cache',
      SILO_DATA_DIR: join(dir, 'data'),
      SILO_SOCKET: socketPath,
      SILO_INSTANCE_TOKEN: TOKEN,
      SILO_LOG_LEVEL: 'error',
      SILO_CODE_CACHE_WRITE: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 60_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline && child.exitCode === null) {
      status = await get(socketPath, '/readyz');
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    if (status !== 200) return { ok: false, reason: `the boot did not get ready: ${stderr.slice(0, 300)}` };
    await get(socketPath, '/api/v1/code-cache/flows/search');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    if (code !== 0) return { ok: false, reason: `the boot exited ${code}` };
    return { ok: true, bytes: statSync(cacheFile).size, ms: performance.now() - started };
  } catch (err) {
    return { ok: false, reason: err.message };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
