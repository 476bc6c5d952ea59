import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
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
import { Children } from './children.js';
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
import { driverId, scanInstances } from './instance-scan.js';
import { LogRotation } from './log-rotation.js';
import { APP_PATHS, currentBuildVersion, orchestratorCommand } from './orchestrator-entry.js';
import { commandLine, isAlive, terminate } from './pid.js';
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
  /** Instances spawned here: their `exit` event tells of a crash at once. */
  readonly #children: Children;
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
    this.#command = options.command ?? orchestratorCommand();
    // The first argument that is no flag: the entry, or the blob of `--snapshot-blob <blob>`.
    this.#entry = this.#command.slice(1).find((a) => !a.startsWith('-')) ?? this.#command[0] ?? '';
    this.#env = options.env ?? {};
    this.#children = new Children(options.pidCheckMs ?? 500);
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
    return this.#children.exits.watch(listener);
  }

  async close(): Promise<void> {
    this.#children.exits.close();
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
    const pid = await this.#children.track(id, child, support.ok, () => this.logs(id, { tail: 3 }));
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
      const exits = this.#children.exits;
      exits.stopping.add(pid);
      thaw(pid); // a paused instance would hold its SIGTERM until continued
      exits.adopted.delete(tenantId);
      try {
        await terminate(pid, graceMs);
      } finally {
        // A child's own `exit` handler clears it; an adopted pid has none.
        if (!this.#children.has(pid)) exits.stopping.delete(pid);
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

  /**
   * SIGCONT to the instance's group. With `ref` (its pid, from the start),
   * no lookup: a frozen process cannot exit by itself, and SIGCONT to a
   * group that is not frozen does nothing.
   */
  async resume(tenantId: string, ref?: string): Promise<void> {
    const pid = ref !== undefined && /^\d+$/.test(ref) ? ref : (await this.inspect(tenantId)).ref;
    if (pid !== undefined) thaw(Number(pid));
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
      const exits = this.#children.exits;
      if (!this.#children.has(pid) && !exits.stopping.has(pid)) exits.adopted.set(tenantId, pid);
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
    const exitCode = this.#children.exitCode(tenantId);
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
