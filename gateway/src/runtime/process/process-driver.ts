import { spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { TENANT_ID_PATTERN } from '@silo/contracts';
import type {
  Endpoint,
  InstanceStatus,
  RuntimeDriver,
  RuntimeEvent,
  StartRequest,
} from '../runtime-driver.js';
import { freePort } from './free-port.js';
import { orchestratorEntry } from './orchestrator-entry.js';
import { commandLine, isAlive, terminate } from './pid.js';

/** Environment variables of the gateway that an instance inherits; nothing else leaks (no admin token). */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TZ', 'NODE_ENV', 'TMPDIR'] as const;

export type ProcessDriverOptions = {
  /** The gateway's data folder; each tenant gets `<dataDir>/tenants/<id>/`. */
  dataDir: string;
  /**
   * The program that runs one instance, as argv.
   * @default [process.execPath, orchestratorEntry()]: `<repo>/packages/orchestrator/dist/bundle/main.js` when built, else `dist/main.js`
   */
  command?: readonly string[];
  /** Extra environment for every instance (tests). @default {} */
  env?: Record<string, string>;
  /** How often the pids of adopted instances (not children of this gateway) are checked while watched. @default 500 */
  pidCheckMs?: number;
};

/** What the driver persists beside a running instance, so a restarted gateway can adopt it. */
type InstanceRecord = {
  pid: number;
  port: number;
  host: string;
  instanceToken: string;
  startedAt: string;
  /** argv[1] of the instance: checked against `/proc/<pid>/cmdline` so a recycled pid is never adopted. */
  entry: string;
};

/**
 * The embedded runtime: each tenant's instance is a child process with its own
 * folder (`tenants/<id>/data` = `SILO_DATA_DIR`), its own free port on
 * 127.0.0.1, its own instance token, and its output appended to
 * `tenants/<id>/instance.log`. Children are detached and their pid, port and
 * token are written to `tenants/<id>/instance.json` (0600), so they survive a
 * gateway crash and the next gateway adopts them instead of starting twins.
 *
 * @example
 * const driver = new ProcessDriver({ dataDir: '.silo' });
 * const endpoint = await driver.start({ tenantId: 'acme', instanceToken: token });
 */
export class ProcessDriver implements RuntimeDriver {
  readonly name = 'process';
  readonly #root: string;
  readonly #command: readonly string[];
  readonly #env: Record<string, string>;
  readonly #exitCodes = new Map<string, number>();
  readonly #listeners = new Set<(event: RuntimeEvent) => void>();
  /** Pids this driver is stopping: their exit is expected, not a crash. */
  readonly #stopping = new Set<number>();
  /** Pids of children spawned here: their `exit` event tells of a crash at once. */
  readonly #children = new Set<number>();
  /** Running instances this driver did not spawn (adopted after a gateway restart): checked by pid. */
  readonly #adopted = new Map<string, number>();
  readonly #pidCheckMs: number;
  #pidTimer: NodeJS.Timeout | undefined;

  constructor(options: ProcessDriverOptions) {
    this.#root = join(options.dataDir, 'tenants');
    this.#command = options.command ?? [process.execPath, orchestratorEntry()];
    this.#env = options.env ?? {};
    this.#pidCheckMs = options.pidCheckMs ?? 500;
  }

  /**
   * Unexpected exits: a child of this gateway is heard at once (its `exit`
   * event); an adopted instance (spawned by an earlier gateway, so not our
   * child) by a cheap `kill(pid, 0)` every `pidCheckMs`.
   */
  watch(listener: (event: RuntimeEvent) => void): () => void {
    this.#listeners.add(listener);
    if (this.#pidTimer === undefined) {
      this.#pidTimer = setInterval(() => void this.#checkAdopted(), this.#pidCheckMs);
      this.#pidTimer.unref();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        clearInterval(this.#pidTimer);
        this.#pidTimer = undefined;
      }
    };
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    clearInterval(this.#pidTimer);
    this.#pidTimer = undefined;
  }

  #exited(tenantId: string, pid: number, exitCode: number | undefined, how: string): void {
    if (this.#stopping.has(pid)) return;
    const event: RuntimeEvent = {
      type: 'instance:exited',
      tenantId,
      ref: String(pid),
      exitCode,
      reason: `process ${pid} ${how}`,
      at: new Date(),
    };
    for (const listener of this.#listeners) listener(event);
  }

  async #checkAdopted(): Promise<void> {
    for (const [tenantId, pid] of this.#adopted) {
      if (await isAlive(pid)) continue;
      if (this.#adopted.get(tenantId) !== pid) continue;
      this.#adopted.delete(tenantId);
      this.#exited(tenantId, pid, undefined, 'is gone (exit code unknown: not a child of this gateway)');
    }
  }

  /** The folder of one tenant (its data is in `data/` inside). */
  tenantDir(tenantId: string): string {
    if (!TENANT_ID_PATTERN.test(tenantId)) {
      throw new Error(`refusing a folder for invalid tenant id "${tenantId}"`);
    }
    return join(this.#root, tenantId);
  }

  async start(request: StartRequest): Promise<Endpoint> {
    const dir = this.tenantDir(request.tenantId);
    const current = await this.inspect(request.tenantId);
    if (current.state === 'running') {
      throw new Error(`instance of ${request.tenantId} is already running (pid ${current.ref})`);
    }
    const dataDir = join(dir, 'data');
    await mkdir(dataDir, { recursive: true });
    const host = '127.0.0.1';
    const port = await freePort(host);
    const [program, ...args] = this.#command;
    if (program === undefined) throw new Error('process driver: empty command');
    const env: Record<string, string> = {};
    for (const name of INHERITED_ENV) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    const withSecrets = request.secrets !== undefined && Object.keys(request.secrets).length > 0;
    Object.assign(env, this.#env, {
      SILO_TENANT_ID: request.tenantId,
      SILO_PORT: String(port),
      SILO_HOST: host,
      SILO_DATA_DIR: dataDir,
      SILO_INSTANCE_TOKEN: request.instanceToken,
      SILO_LOG_LEVEL: request.logLevel ?? 'info',
      SILO_SECRETS_FROM: withSecrets ? 'stdin' : 'none',
    });
    const logFd = openSync(join(dir, 'instance.log'), 'a', 0o600);
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(program, args, {
        cwd: dir,
        env,
        detached: true,
        stdio: [withSecrets ? 'pipe' : 'ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    const pid = child.pid;
    if (pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new Error(`could not spawn ${program}: ${error.message}`);
    }
    if (withSecrets && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(JSON.stringify(request.secrets));
    }
    this.#exitCodes.delete(request.tenantId);
    this.#adopted.delete(request.tenantId);
    this.#children.add(pid);
    child.on('exit', (code, signal) => {
      const exitCode = code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1);
      this.#exitCodes.set(request.tenantId, exitCode);
      this.#children.delete(pid);
      this.#exited(
        request.tenantId,
        pid,
        exitCode,
        signal ? `was killed by ${signal} (exit code ${exitCode})` : `exited with code ${exitCode}`,
      );
      this.#stopping.delete(pid);
    });
    child.unref();
    const record: InstanceRecord = {
      pid,
      port,
      host,
      instanceToken: request.instanceToken,
      startedAt: new Date().toISOString(),
      entry: args[0] ?? program,
    };
    // Synchronously, right after the spawn: a gateway killed in between would leave an instance no
    // other gateway of a fleet (same data dir) can see, and the next start would make a twin.
    writeFileSync(join(dir, 'instance.json'), JSON.stringify(record), { mode: 0o600 });
    return endpointOf(record);
  }

  async stop(tenantId: string, graceMs: number): Promise<void> {
    const record = await this.#record(tenantId);
    if (record === undefined) return;
    if (await this.#owns(record)) {
      this.#stopping.add(record.pid);
      this.#adopted.delete(tenantId);
      try {
        await terminate(record.pid, graceMs);
      } finally {
        // A child's own `exit` handler clears it; an adopted pid has none.
        if (!this.#children.has(record.pid)) this.#stopping.delete(record.pid);
      }
    }
    await rm(join(this.tenantDir(tenantId), 'instance.json'), { force: true });
  }

  async remove(tenantId: string, options: { purge: boolean }): Promise<void> {
    await this.stop(tenantId, 5_000);
    if (options.purge) await rm(this.tenantDir(tenantId), { recursive: true, force: true });
  }

  async inspect(tenantId: string): Promise<InstanceStatus> {
    const dir = this.tenantDir(tenantId);
    const record = await this.#record(tenantId);
    if (record !== undefined && (await this.#owns(record))) {
      if (!this.#children.has(record.pid) && !this.#stopping.has(record.pid))
        this.#adopted.set(tenantId, record.pid);
      return {
        tenantId,
        state: 'running',
        endpoint: endpointOf(record),
        instanceToken: record.instanceToken,
        ref: String(record.pid),
        startedAt: record.startedAt,
      };
    }
    const exists = await stat(dir).then(
      () => true,
      () => false,
    );
    if (!exists) return { tenantId, state: 'absent' };
    const exitCode = this.#exitCodes.get(tenantId);
    return exitCode === undefined ? { tenantId, state: 'stopped' } : { tenantId, state: 'stopped', exitCode };
  }

  async list(): Promise<InstanceStatus[]> {
    const names = await readdir(this.#root).catch(() => [] as string[]);
    const statuses = await Promise.all(
      names.filter((n) => TENANT_ID_PATTERN.test(n)).map((n) => this.inspect(n)),
    );
    return statuses.filter((s) => s.state !== 'absent');
  }

  async logs(tenantId: string, options: { tail?: number } = {}): Promise<string> {
    const path = join(this.tenantDir(tenantId), 'instance.log');
    const handle = await open(path, 'r').catch(() => undefined);
    if (handle === undefined) return '';
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 1024 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      const lines = buffer.toString('utf8').split('\n');
      if (lines.at(-1) === '') lines.pop();
      const tail = options.tail ?? 200;
      return lines.slice(-tail).join('\n');
    } finally {
      await handle.close();
    }
  }

  async #record(tenantId: string): Promise<InstanceRecord | undefined> {
    try {
      return JSON.parse(
        await readFile(join(this.tenantDir(tenantId), 'instance.json'), 'utf8'),
      ) as InstanceRecord;
    } catch {
      return undefined;
    }
  }

  /** The pid is alive and still runs our entry (not a recycled pid). */
  async #owns(record: InstanceRecord): Promise<boolean> {
    if (!(await isAlive(record.pid))) return false;
    const cmd = await commandLine(record.pid);
    return cmd === undefined || cmd.includes(record.entry);
  }
}

function endpointOf(record: InstanceRecord): Endpoint {
  return { url: `http://${record.host}:${record.port}`, host: record.host, port: record.port };
}
