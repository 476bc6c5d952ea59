import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { TENANT_ID_PATTERN } from '@silo/contracts';
import { versionedRun } from '../../versions/bundle-versions.js';
import type {
  Endpoint,
  InstanceStatus,
  ReconcileSummary,
  RuntimeDriver,
  RuntimeEvent,
  StartRequest,
} from '../runtime-driver.js';
import { ExitWatch } from './exit-watch.js';
import { freePort } from './free-port.js';
import { freeze, thaw } from './freeze.js';
import {
  endpointOf,
  type InstanceRecord,
  readRecord,
  recordOfFound,
  tailLines,
  writeRecord,
} from './instance-record.js';
import { driverId, sandboxedChild, scanInstances } from './instance-scan.js';
import { LogRotation } from './log-rotation.js';
import { APP_PATHS, currentBuildVersion, orchestratorEntry } from './orchestrator-entry.js';
import { commandLine, isAlive, signalName, terminate } from './pid.js';
import type { ProcessDriverOptions } from './process-driver-options.js';
import { reconcileInstances } from './reconcile-instances.js';
import { type SandboxSupport, sandboxSupport, UnisolatedRuntimeError } from './sandbox.js';
import { spawnInstance } from './spawn-instance.js';
import { TenantUids } from './tenant-uids.js';

export type { ProcessDriverOptions } from './process-driver-options.js';

/**
 * The embedded runtime: each tenant's instance is a child process with its own
 * folder (`tenants/<id>/data` = `SILO_DATA_DIR`), listening on a unix socket
 * in `tenants/<id>/run/` (a free port on 127.0.0.1 when that path is too long
 * for a socket), with its own instance token, its output appended to
 * `tenants/<id>/instance.log`. Children are detached and their pid, endpoint
 * and token are written to `tenants/<id>/instance.json` (0600), before and
 * after the spawn, so they survive a gateway crash and the next gateway adopts
 * them instead of starting twins (and the instance's own data-folder lock makes
 * a twin refuse to start).
 *
 * Where the gateway may (root or CAP_SETUID/SETGID/CHOWN, bubblewrap, user
 * namespaces), each instance runs sandboxed as its tenant's own uid
 * (`sandbox.ts`, `tenant-uids.ts`). Where it may not, `isolation()` says what
 * is missing and a second tenant is refused unless `allowUnisolated`.
 *
 * @example
 * const driver = new ProcessDriver({ dataDir: '.silo' });
 * const endpoint = await driver.start({ tenantId: 'acme', instanceToken: token });
 */
export class ProcessDriver implements RuntimeDriver {
  readonly name = 'process';
  readonly #root: string;
  readonly #command: readonly string[];
  readonly #entry: string;
  readonly #env: Record<string, string>;
  readonly #exitCodes = new Map<string, number>();
  /** Pids of children spawned here: their `exit` event tells of a crash at once. */
  readonly #children = new Set<number>();
  readonly #exits: ExitWatch;
  readonly #driverId: string;
  readonly #isolation: 'auto' | 'off';
  readonly #allowUnisolated: boolean;
  readonly #uids: TenantUids;
  readonly #appPaths: readonly string[];
  readonly #orphanGraceMs: number;
  readonly #dataDir: string;
  readonly #currentVersion: string;
  readonly #logs: LogRotation;
  #support: Promise<SandboxSupport> | undefined;

  constructor(options: ProcessDriverOptions) {
    this.#root = resolve(options.dataDir, 'tenants');
    this.#dataDir = resolve(options.dataDir);
    this.#currentVersion = options.currentVersion ?? currentBuildVersion();
    this.#command = options.command ?? [process.execPath, orchestratorEntry()];
    this.#entry = this.#command[1] ?? this.#command[0] ?? '';
    this.#env = options.env ?? {};
    this.#exits = new ExitWatch(options.pidCheckMs ?? 500);
    this.#driverId = driverId(this.#root);
    this.#isolation = options.isolation ?? 'auto';
    this.#allowUnisolated = options.allowUnisolated ?? false;
    this.#uids = new TenantUids(this.#root, options.uids);
    this.#orphanGraceMs = options.orphanGraceMs ?? 60_000;
    this.#logs = new LogRotation({ root: this.#root, ...options.log });
    const own = this.#command.filter((a) => isAbsolute(a) && existsSync(a)).slice(1);
    this.#appPaths = options.appPaths ?? [...APP_PATHS, ...own.map((a) => dirname(a))];
    for (const app of this.#appPaths) {
      if (this.#root.startsWith(`${app}/`))
        throw new Error(`the data folder ${options.dataDir} is inside ${app}, which sandboxes see: move it`);
    }
  }

  /** Unexpected exits: see `ExitWatch`. */
  watch(listener: (event: RuntimeEvent) => void): () => void {
    return this.#exits.watch(listener);
  }

  async close(): Promise<void> {
    this.#exits.close();
    this.#logs.close();
  }

  /** The folder of one tenant (its data is in `data/` inside). */
  tenantDir(tenantId: string): string {
    if (!TENANT_ID_PATTERN.test(tenantId)) {
      throw new Error(`refusing a folder for invalid tenant id "${tenantId}"`);
    }
    return join(this.#root, tenantId);
  }

  /**
   * Whether instances run sandboxed here (checked once). When not, the
   * reasons name what is missing; the composition root logs them loudly.
   */
  isolation(): Promise<SandboxSupport> {
    if (this.#support === undefined) {
      this.#support =
        this.#isolation === 'off'
          ? Promise.resolve({ ok: false, missing: ['sandboxing (turned off for this driver)'] })
          : sandboxSupport(this.#uids.firstUid, this.#uids.gid, this.#appPaths);
    }
    return this.#support;
  }

  async start(request: StartRequest): Promise<Endpoint> {
    const id = request.tenantId;
    const dir = this.tenantDir(id);
    const current = await this.inspect(id);
    if (current.state === 'running') {
      throw new Error(`instance of ${id} is already running (pid ${current.ref})`);
    }
    const run = versionedRun(this.#dataDir, request.version, this.#currentVersion, {
      command: this.#command,
      entry: this.#entry,
      appPaths: this.#appPaths,
    });
    const support = await this.isolation();
    if (!support.ok) await this.#refuseSecondTenant(id, support.missing);
    const uid = support.ok ? await this.#uids.prepare(id) : undefined;
    const dataDir = join(dir, 'data');
    // Owner-only (sandboxed, `#uids.prepare` made them already, tenants/ traverse-only for its group).
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'run'), { recursive: true, mode: 0o700 });
    // A unix socket in the tenant's folder when its path fits (107 bytes), else a free port.
    const socketPath = join(dir, 'run', 'instance.sock');
    const viaSocket = Buffer.byteLength(socketPath) <= 107;
    const record: InstanceRecord = {
      port: viaSocket ? 0 : await freePort('127.0.0.1'),
      host: '127.0.0.1',
      ...(viaSocket ? { socketPath } : {}),
      instanceToken: request.instanceToken,
      startedAt: new Date().toISOString(),
      entry: run.entry,
      ...(uid !== undefined ? { uid, gid: this.#uids.gid } : {}),
    };
    // Recorded before the spawn: a gateway killed right after it leaves a record the next one adopts from.
    await writeRecord(dir, record);
    await this.#logs.rotateIfOver(join(dir, 'instance.log'));
    const child = spawnInstance({
      request,
      record,
      dir,
      command: run.command,
      support,
      appPaths: run.appPaths,
      driverId: this.#driverId,
      env: this.#env,
    });
    const spawnedPid = child.pid;
    if (spawnedPid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new Error(`could not spawn ${run.command[0]}: ${error.message}`);
    }
    this.#exitCodes.delete(id);
    this.#exits.adopted.delete(id);
    let pid = spawnedPid;
    this.#children.add(pid);
    child.on('exit', (code, own) => {
      const exitCode = code ?? (own ? 128 + (osConstants.signals[own] ?? 0) : 1);
      // bwrap exits 128 + n when the sandboxed instance was killed by signal n.
      const signal = own ?? (support.ok && exitCode > 128 ? signalName(exitCode - 128) : undefined);
      this.#exitCodes.set(id, exitCode);
      this.#children.delete(pid);
      const how = signal ? `was killed by ${signal} (exit code ${exitCode})` : `exited with code ${exitCode}`;
      this.#exits.exited(id, pid, exitCode, how);
      this.#exits.stopping.delete(pid);
    });
    child.unref();
    if (support.ok) {
      // The instance is bwrap's grandchild (under the namespace's reaper): signals go to it.
      const inner = await sandboxedChild(
        spawnedPid,
        () => child.exitCode === null && child.signalCode === null,
      );
      if (inner === undefined) {
        const tail = await this.logs(id, { tail: 3 });
        throw new Error(`the sandbox of ${id} did not start its instance: ${tail}`);
      }
      this.#children.delete(pid);
      pid = inner;
      this.#children.add(pid);
    }
    await writeRecord(dir, { ...record, pid });
    return endpointOf(record);
  }

  /** Unsandboxed, a second tenant's tasks could read the first's files: only with SILO_ALLOW_UNISOLATED=1. */
  async #refuseSecondTenant(tenantId: string, missing: string[]): Promise<void> {
    if (this.#allowUnisolated) return;
    const other = (await this.list()).find((s) => s.state === 'running' && s.tenantId !== tenantId);
    if (other !== undefined) throw new UnisolatedRuntimeError(tenantId, other.tenantId, missing);
  }

  async stop(tenantId: string, graceMs: number): Promise<void> {
    const status = await this.inspect(tenantId);
    if (status.state === 'running' && status.ref !== undefined) {
      const pid = Number(status.ref);
      this.#exits.stopping.add(pid);
      thaw(pid); // a paused instance would hold its SIGTERM until continued
      this.#exits.adopted.delete(tenantId);
      try {
        await terminate(pid, graceMs);
      } finally {
        // A child's own `exit` handler clears it; an adopted pid has none.
        if (!this.#children.has(pid)) this.#exits.stopping.delete(pid);
      }
    }
    await rm(join(this.tenantDir(tenantId), 'instance.json'), { force: true });
  }

  /** Freezes the instance's process group (`freeze.ts`: SIGSTOP; the sandbox has no cgroup freezer). */
  async pause(tenantId: string): Promise<void> {
    const { ref } = await this.inspect(tenantId);
    if (ref === undefined) throw new Error(`instance of ${tenantId} is not running: nothing to pause`);
    await freeze(Number(ref));
  }

  async resume(tenantId: string): Promise<void> {
    const { ref } = await this.inspect(tenantId);
    if (ref !== undefined) thaw(Number(ref));
  }

  async remove(tenantId: string, options: { purge: boolean }): Promise<void> {
    await this.stop(tenantId, 5_000);
    if (options.purge) await rm(this.tenantDir(tenantId), { recursive: true, force: true });
  }

  async inspect(tenantId: string): Promise<InstanceStatus> {
    const dir = this.tenantDir(tenantId);
    let record = await readRecord(dir);
    if (record !== undefined && !(await this.#owns(record))) {
      // Recorded but not running as recorded: it may run untracked (a gateway killed between spawn and record).
      record = await this.#adoptUntracked(tenantId, record);
    }
    if (record?.pid !== undefined) {
      const pid = record.pid;
      if (!this.#children.has(pid) && !this.#exits.stopping.has(pid)) this.#exits.adopted.set(tenantId, pid);
      return {
        tenantId,
        state: 'running',
        endpoint: endpointOf(record),
        instanceToken: record.instanceToken,
        ref: String(pid),
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

  /** Finds a live instance of this tenant that its record does not name, and records it. */
  async #adoptUntracked(tenantId: string, stale: InstanceRecord): Promise<InstanceRecord | undefined> {
    const found = (await scanInstances(this.#driverId, this.#entry)).find((f) => f.tenantId === tenantId);
    if (found === undefined) return undefined;
    const dir = this.tenantDir(tenantId);
    const record = recordOfFound(stale, found, join(dir, 'run', 'instance.sock'));
    if (record !== undefined) await writeRecord(dir, record);
    return record;
  }

  /** See `reconcileInstances`: untracked instances adopted, twins stopped, orphans stopped after a grace period. */
  reconcile(knownTenants: () => Promise<Iterable<string>> | Iterable<string>): Promise<ReconcileSummary> {
    return reconcileInstances(knownTenants, {
      found: () => scanInstances(this.#driverId, this.#entry),
      inspect: (tenantId) => this.inspect(tenantId),
      orphanGraceMs: this.#orphanGraceMs,
    });
  }

  async list(): Promise<InstanceStatus[]> {
    const names = await readdir(this.#root).catch(() => [] as string[]);
    const statuses = await Promise.all(
      names.filter((n) => TENANT_ID_PATTERN.test(n)).map((n) => this.inspect(n)),
    );
    return statuses.filter((s) => s.state !== 'absent');
  }

  async logs(tenantId: string, options: { tail?: number } = {}): Promise<string> {
    return tailLines(join(this.tenantDir(tenantId), 'instance.log'), options.tail ?? 200);
  }

  /** The pid is alive and still runs our entry (not a recycled pid). */
  async #owns(record: InstanceRecord): Promise<boolean> {
    if (record.pid === undefined || !(await isAlive(record.pid))) return false;
    const cmd = await commandLine(record.pid);
    return cmd === undefined || cmd.includes(record.entry);
  }
}
