import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const isGitCheckout = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: ROOT }).status === 0;

/**
 * Runs a command in `cwd`, bounded in time (SIGKILL after `timeoutMs`); what it printed and how it
 * ended. Asynchronous: the test gateway runs in this process and must answer meanwhile.
 */
function run(cwd: string, command: string, args: string[], timeoutMs: number) {
  const started = Date.now();
  return new Promise<{ status: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    execFile(
      command,
      args,
      {
        cwd,
        encoding: 'utf8',
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        // A clean npm environment: not the one of the `npm test` that runs this file.
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_'))),
      },
      (err, stdout, stderr) => {
        const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        const ms = Date.now() - started;
        process.stdout.write(
          `[measure] ${command} ${args.slice(0, 2).join(' ')}: ${(ms / 1000).toFixed(1)} s\n`,
        );
        resolve({ status, stdout, stderr, ms });
      },
    );
  });
}

/**
 * README, "CLI": `npx silo` works after `npm install` on a fresh clone. This
 * extracts the committed HEAD (`git archive`) into a temp folder, installs there from npm's
 * cache (`--ignore-scripts`: native addons are not built, the CLI's admin
 * commands do not load them), and runs `npx silo` twice: the first run builds
 * the workspace (gateway/dist does not exist in a clone), the second runs the
 * built CLI at once and drives a real gateway's admin API.
 */
describe.skipIf(!isGitCheckout)('npx silo on a fresh clone', () => {
  let clone = '';
  let t: TestGateway | undefined;
  afterAll(async () => {
    await t?.stop();
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  it('builds on first use, then drives the admin API', { timeout: 420_000 }, async () => {
    clone = mkdtempSync(join(tmpdir(), 'silo-clone-'));
    // The committed tree of HEAD, as a clone checks it out (also when CI's HEAD is detached).
    const cloned = await run(
      ROOT,
      'sh',
      ['-c', 'git archive --format=tar HEAD | tar -x -C "$1"', 'sh', clone],
      60_000,
    );
    expect(cloned.status, cloned.stderr).toBe(0);
    expect(existsSync(join(clone, 'gateway', 'bin', 'silo.mjs'))).toBe(true);
    expect(existsSync(join(clone, 'gateway', 'dist'))).toBe(false);
    const install = await run(
      clone,
      'npm',
      ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'],
      180_000,
    );
    expect(install.status, install.stderr).toBe(0);

    const first = await run(clone, 'npx', ['silo', '--help'], 240_000);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('silo: building first (gateway/dist does not exist yet)');
    expect(first.stdout).toMatch(/^Usage: silo \[options\] \[command\]/);

    t = await startTestGateway();
    await t.tenant('from-clone');
    const second = await run(
      clone,
      'npx',
      ['silo', '--url', t.url, '--token', t.gateway.adminToken, 'tenant', 'list', '--json'],
      60_000,
    );
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('building first');
    expect(JSON.parse(second.stdout)).toMatchObject({ total: 1, results: [{ id: 'from-clone' }] });
  });
});
