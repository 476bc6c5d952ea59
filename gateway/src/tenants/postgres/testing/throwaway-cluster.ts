import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Where Debian's `postgresql` package puts the server binaries (`/usr/lib/postgresql/<major>/bin`). */
const DEBIAN_PG_ROOT = '/usr/lib/postgresql';

/** A PostgreSQL server of its own for one test run: loopback only, in a temp dir, gone after `stop()`. */
export type ThrowawayCluster = {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  url: string;
  port: number;
  /** A new, empty database on the cluster; its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes its folder. */
  stop(): Promise<void>;
  /** Kills the server as an outage would (`pg_ctl stop -m immediate`); `restart()` brings it back on the same port. */
  kill(): Promise<void>;
  restart(): Promise<void>;
};

/** The newest installed server's bin folder, or undefined (then PostgreSQL tests are skipped with that reason). */
export function findPostgresBin(): string | undefined {
  if (!existsSync(DEBIAN_PG_ROOT)) return undefined;
  const majors = readdirSync(DEBIAN_PG_ROOT)
    .filter((v) => existsSync(join(DEBIAN_PG_ROOT, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(DEBIAN_PG_ROOT, majors[0], 'bin');
}

/**
 * Immediate shutdown (SIGQUIT to the postmaster, as `pg_ctl -m immediate`
 * sends), waited for at most 10 s, then SIGKILL. Signalled directly: `pg_ctl
 * stop -w` was seen to hang here on a loaded machine, and nothing in a
 * throwaway cluster is worth a shutdown checkpoint.
 */
async function quit(data: string): Promise<void> {
  const pidFile = join(data, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGQUIT');
  for (let i = 0; i < 200 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
  if (alive()) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a real PostgreSQL server for tests: `initdb` in a fresh temp dir,
 * `pg_ctl start` on 127.0.0.1 and a random port, its unix socket in the same
 * dir, trust auth (loopback only, thrown away after). PostgreSQL refuses to
 * run as root, so as root the cluster is made and run as the `postgres` user
 * that Debian's package creates (`runuser`), with the dir handed to it.
 *
 * @example
 * const cluster = await startThrowawayCluster();
 * const url = await cluster.createDatabase('contract_1');
 * await cluster.stop();
 */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const bin = findPostgresBin();
  if (bin === undefined)
    throw new Error(`no PostgreSQL server under ${DEBIAN_PG_ROOT}: apt-get install postgresql`);
  const dir = mkdtempSync(join(tmpdir(), 'silo-pg-'));
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pgTool = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { timeout: 60_000 })
      : run(join(bin, tool), args, { timeout: 60_000 });
  const data = join(dir, 'data');
  const port = await freePort();
  await pgTool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  const start = () =>
    pgTool('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start']);
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    port,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name ${name}: use [a-z0-9_]`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        // FILE_COPY: a plain copy of the template, much faster than WAL_LOG with fsync off.
        await client.query(`CREATE DATABASE ${name} STRATEGY = FILE_COPY`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async kill() {
      await quit(data);
    },
    async restart() {
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await quit(data).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
