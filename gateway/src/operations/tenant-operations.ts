import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { Logger } from 'pino';
import { ConflictError, NotFoundError, UpstreamFailedError } from '../errors.js';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import type { Registry } from '../tenants/registry.js';
import type { Tenant } from '../tenants/tenant-store.js';
import { readArchive } from './archive-reader.js';
import { writeArchive } from './archive-writer.js';
import type { BackupMetrics } from './backup-metrics.js';
import { type BackupRecord, type BackupStore, newBackupId } from './backup-store.js';
import { instanceRequest, readText } from './instance-request.js';
import { ARCHIVE_FORMAT, type BackupManifest, type ManifestFile } from './manifest.js';
import { checkCopy, type StagedCopy, stageCopy } from './staged-copy.js';
import { NoTenantDataError, type TenantData } from './tenant-data.js';

export type TenantOperationsDeps = {
  registry: Pick<Registry, 'tenants' | 'keys' | 'secrets' | 'wakeTimers'>;
  manager: InstanceManager;
  data: TenantData;
  /** Removes what a failed import made (its instance, folder or volume). */
  purge: (tenantId: string) => Promise<void>;
  store: BackupStore;
  metrics: BackupMetrics;
  logger: Logger;
  /** `process` or `docker`: written in manifests. */
  runtime: string;
  /** Orchestrator version of this gateway's instances. */
  version: string;
};

/**
 * Backups, restore, export and import of one tenant at a time (issue 16).
 * Each operation stages a consistent copy of the tenant's data on local disk
 * (`staged-copy.ts`), checks it, and streams it into or out of an archive;
 * nothing is held in memory. One operation per tenant at a time (409).
 *
 * @example
 * const record = await ops.backup('acme', 'manual');
 */
export class TenantOperations {
  readonly #busy = new Set<string>();
  constructor(private readonly deps: TenantOperationsDeps) {}

  /** Takes a backup into the store (the instance keeps running, or stays stopped). */
  backup(tenantId: string, trigger: BackupRecord['trigger']): Promise<BackupRecord> {
    return this.#exclusive(tenantId, 'backup', async () => {
      const { store, metrics, logger } = this.deps;
      const tenant = await this.#tenant(tenantId);
      const secretNames = await this.#secretNames(tenantId);
      const started = Date.now();
      const id = newBackupId(new Date(started));
      logger.info({ tenantId, backupId: id, trigger }, 'backup: copying');
      try {
        const record = await this.#staged(tenant, async (dir, staged) => {
          logger.info({ tenantId, backupId: id, mode: staged.mode }, 'backup: copy checked, archiving');
          return store.save(
            tenantId,
            id,
            (out) => writeArchive(dir, (files) => this.#manifest(tenant, staged, files, secretNames), out),
            ({ sha256, bytes, manifest }) => ({
              id,
              tenantId,
              createdAt: manifest.createdAt,
              sizeBytes: bytes,
              version: manifest.version,
              sha256,
              durationMs: Date.now() - started,
              trigger,
              mode: staged.mode,
              executions: staged.executions,
              integrity: 'ok',
            }),
          );
        });
        metrics.succeeded(record);
        logger.info(
          {
            tenantId,
            backupId: id,
            sizeBytes: record.sizeBytes,
            durationMs: record.durationMs,
            executions: record.executions,
          },
          'backup: done',
        );
        return record;
      } catch (err) {
        metrics.failed(tenantId);
        logger.error({ tenantId, backupId: id, err }, 'backup: failed');
        throw err;
      }
    });
  }

  /**
   * An export archive of the tenant, as a stream: the consistent copy is
   * staged first (so a tenant without data is a 409, not a broken
   * download), then archived into the stream as it is read. Nothing kept.
   */
  async exportStream(tenantId: string): Promise<Readable> {
    const tenant = await this.#tenant(tenantId);
    const secretNames = await this.#secretNames(tenantId);
    const release = this.#lock(tenantId, 'export');
    let dir: string | undefined;
    try {
      dir = await this.deps.store.stagingDir();
      const data = join(dir, 'data');
      const staged = await stageCopy(tenant.id, data, this.deps);
      const out = new PassThrough();
      const cleanup = dir;
      writeArchive(data, (files) => this.#manifest(tenant, staged, files, secretNames), out)
        .catch((err: unknown) => {
          this.deps.logger.error({ tenantId, err }, 'export: failed while streaming');
          out.destroy(err as Error);
        })
        .finally(() => {
          release();
          void rm(cleanup, { recursive: true, force: true });
        });
      return out;
    } catch (err) {
      release();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      throw err instanceof NoTenantDataError ? new ConflictError(err.message) : err;
    }
  }

  /**
   * Restores a stored backup. Into the same tenant: the tenant is suspended
   * (no request can start it), stopped, its data replaced, resumed, started
   * and verified. With `into`: a new tenant is made from it (as an import).
   */
  async restore(tenantId: string, backupId: string, into?: string): Promise<Tenant> {
    await this.#tenant(tenantId);
    const record = await this.deps.store.get(tenantId, backupId);
    if (record === undefined) throw new NotFoundError('backup', backupId);
    if (into !== undefined && into !== tenantId)
      return this.importFrom(into, this.deps.store.open(tenantId, backupId));
    return this.#exclusive(tenantId, 'restore', async () => {
      const { registry, manager, data, store, logger } = this.deps;
      const dir = await store.stagingDir();
      try {
        const { manifest, sha256 } = await readArchive(store.open(tenantId, backupId), dir);
        if (sha256 !== record.sha256)
          throw new ConflictError(`backup ${backupId} does not match its recorded sha256 (corrupted)`);
        checkCopy(tenantId, dir);
        const before = await this.#tenant(tenantId);
        logger.info({ tenantId, backupId }, 'restore: stopping the instance and replacing its data');
        await registry.tenants.setState(tenantId, 'suspended', `restoring backup ${backupId}`);
        try {
          await manager.stop(tenantId, 'restore');
          // No wake timer may start it on half-replaced data; the restored instance reports its own.
          await registry.wakeTimers.clear(tenantId);
          await data.replace(tenantId, dir);
        } finally {
          await registry.tenants.setState(tenantId, before.state, before.suspendedReason);
        }
        if (before.state === 'active') await this.#verify(tenantId, manifest);
        logger.info({ tenantId, backupId }, 'restore: done');
        return await this.#tenant(tenantId);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  /**
   * Makes tenant `newId` from an archive: unpacked and checked on disk
   * first, then the tenant is created (suspended until its data is in place),
   * started and verified. Its API keys are not carried: one new key is made
   * and returned once. Secrets are not carried (names in the manifest).
   */
  async importFrom(newId: string, input: Readable): Promise<Tenant & { key: { id: string; key: string } }> {
    const { registry, manager, data, store, logger } = this.deps;
    if ((await registry.tenants.get(newId)) !== undefined)
      throw new ConflictError(`tenant ${newId} already exists`);
    return this.#exclusive(newId, 'import', async () => {
      const dir = await store.stagingDir();
      let created = false;
      try {
        const { manifest } = await readArchive(input, dir);
        checkCopy(newId, dir);
        if ((await registry.tenants.get(newId)) !== undefined)
          throw new ConflictError(`tenant ${newId} already exists`);
        await registry.tenants.create({ id: newId, name: manifest.tenantName, limits: manifest.limits });
        created = true;
        await registry.tenants.setState(newId, 'suspended', 'importing');
        await data.replace(newId, dir);
        await registry.tenants.setState(newId, 'active');
        await this.#verify(newId, manifest);
        const { key, record } = await registry.keys.create(newId, 'imported');
        if (manifest.secretNames.length > 0)
          logger.warn(
            { tenantId: newId, secrets: manifest.secretNames },
            'import: secrets are not carried; set them again',
          );
        logger.info({ tenantId: newId, from: manifest.tenantId }, 'import: done');
        return { ...(await this.#tenant(newId)), key: { id: record.id, key } };
      } catch (err) {
        if (created) {
          await manager.stop(newId, 'import failed').catch(() => undefined);
          await this.deps.purge(newId).catch(() => undefined);
          await registry.tenants.delete(newId);
          manager.forget(newId);
        }
        throw err;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  /** Starts the instance (migrations, recovery of interrupted work) and checks it serves the backup's executions. */
  async #verify(tenantId: string, manifest: BackupManifest): Promise<void> {
    const { manager } = this.deps;
    await manager.start(tenantId, 'restore');
    const lease = await manager.acquire(tenantId);
    try {
      const res = await instanceRequest(
        lease.endpoint,
        lease.token,
        'GET',
        `/api/v1/${tenantId}/executions/search?size=1`,
        60_000,
      );
      const ok = res.statusCode === 200;
      const body = JSON.parse(await readText(res)) as { total?: number };
      if (!ok || body.total !== manifest.database.executions)
        throw new UpstreamFailedError(tenantId, {
          cause: new Error(
            `after the restore it reports ${body.total} executions, the backup has ${manifest.database.executions}`,
          ),
        });
    } finally {
      lease.release();
    }
  }

  async #staged<T>(tenant: Tenant, use: (dir: string, staged: StagedCopy) => Promise<T>): Promise<T> {
    const dir = await this.deps.store.stagingDir();
    try {
      const staged = await stageCopy(tenant.id, join(dir, 'data'), this.deps);
      return await use(join(dir, 'data'), staged);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  #manifest(
    tenant: Tenant,
    staged: StagedCopy,
    files: ManifestFile[],
    secretNames: string[],
  ): BackupManifest {
    const dialect = (tenant as { kestraVersion?: string }).kestraVersion ?? '1.3';
    return {
      format: ARCHIVE_FORMAT,
      tenantId: tenant.id,
      tenantName: tenant.name,
      limits: { ...tenant.limits },
      createdAt: new Date().toISOString(),
      version: this.deps.version,
      dialect,
      runtime: this.deps.runtime,
      mode: staged.mode,
      database: { schemaVersion: staged.schemaVersion, executions: staged.executions, integrity: 'ok' },
      files,
      totalBytes: files.reduce((n, f) => n + f.size, 0),
      secretNames,
    };
  }

  async #secretNames(tenantId: string): Promise<string[]> {
    return (await this.deps.registry.secrets.list(tenantId)).map((s) => s.name);
  }

  async #tenant(id: string): Promise<Tenant> {
    const tenant = await this.deps.registry.tenants.get(id);
    if (tenant === undefined) throw new NotFoundError('tenant', id);
    return tenant;
  }

  #lock(tenantId: string, what: string): () => void {
    if (this.#busy.has(tenantId))
      throw new ConflictError(
        `tenant ${tenantId}: cannot ${what} now, another backup, restore, export or import is in progress`,
      );
    this.#busy.add(tenantId);
    return () => this.#busy.delete(tenantId);
  }

  async #exclusive<T>(tenantId: string, what: string, run: () => Promise<T>): Promise<T> {
    const release = this.#lock(tenantId, what);
    try {
      return await run();
    } catch (err) {
      if (err instanceof NoTenantDataError) throw new ConflictError(err.message);
      throw err;
    } finally {
      release();
    }
  }
}
