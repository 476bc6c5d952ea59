import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { nanoid } from 'nanoid';
import tar from 'tar-stream';
import { SILO_USER } from '../images/offline-base.js';
import { volumeSpec } from '../runtime/docker/container-spec.js';
import { tolerate } from '../runtime/docker/engine-errors.js';
import { volumeName } from '../runtime/docker/scope.js';
import { listFiles } from './archive-writer.js';
import { NoTenantDataError, type TenantData } from './tenant-data.js';

/** What this needs of the Docker driver (its public members). */
export type VolumeHost = {
  docker: Docker;
  scope: string;
  remove(tenantId: string, options: { purge: boolean }): Promise<void>;
  specConfig(): Promise<{ image: string; version: string }>;
};

/** Label of the short-lived helper containers, so that a leftover is easy to find. */
export const HELPER_LABEL = 'silo.ops-helper';

/**
 * The Docker runtime's tenant data: the named volume `silo-<id>-data`. It is
 * read and written through the engine's archive API on a short-lived helper
 * container that is created but never started (the orchestrator image, no
 * network, the volume mounted read-only for reads): the gateway needs no
 * access to the engine's files, works the same against a remote engine, and
 * the tenant's own container (running or stopped) is never touched. Chosen
 * over a running helper with `tar` because nothing executes in it.
 *
 * @example
 * const data = new VolumeTenantData(dockerDriver);
 */
export class VolumeTenantData implements TenantData {
  constructor(private readonly host: VolumeHost) {}

  async copyOut(tenantId: string, dest: string, skip: (path: string) => boolean): Promise<void> {
    const volume = volumeName(tenantId, this.host.scope);
    const exists = await tolerate([404], () => this.host.docker.getVolume(volume).inspect());
    if (exists === undefined) throw new NoTenantDataError(tenantId);
    await mkdir(dest, { recursive: true });
    await this.#withHelper(volume, true, async (container) => {
      const archive = (await container.getArchive({ path: '/data' })) as unknown as Readable;
      const extract = tar.extract();
      const unpack = (async () => {
        for await (const entry of extract) {
          const { name, type } = entry.header;
          // Entries are `data/...`: the folder's own name first.
          const path = name.split('/').slice(1).join('/').replace(/\/$/, '');
          if (type !== 'file' || path === '' || path.split('/').includes('..') || skip(path)) {
            entry.resume();
            continue;
          }
          const target = join(dest, ...path.split('/'));
          await mkdir(dirname(target), { recursive: true });
          await pipeline(entry, createWriteStream(target, { mode: 0o600 }));
        }
      })();
      await Promise.all([pipeline(archive, extract), unpack]);
    });
  }

  /**
   * Removes the tenant's container and volume, creates the volume afresh
   * (same name and labels as the driver makes) and puts `src` into it,
   * owned by the instance's user.
   */
  async replace(tenantId: string, src: string): Promise<void> {
    const { docker, scope } = this.host;
    const { version } = await this.host.specConfig();
    await this.host.remove(tenantId, { purge: false });
    const volume = volumeName(tenantId, scope);
    await tolerate([404], () => docker.getVolume(volume).remove());
    await docker.createVolume(volumeSpec(tenantId, version, scope));
    const pack = tar.pack();
    const feed = (async () => {
      for (const path of await listFiles(src)) {
        const file = join(src, ...path.split('/'));
        const { size } = await stat(file);
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry(
            { name: path, size, mode: 0o640, uid: SILO_USER.uid, gid: SILO_USER.gid },
            (err) => (err ? reject(err) : resolve()),
          );
          createReadStream(file).on('error', reject).pipe(entry);
        });
      }
      pack.finalize();
    })().catch((err: unknown) => {
      pack.destroy(err as Error);
      throw err;
    });
    await this.#withHelper(volume, false, async (container) => {
      await Promise.all([
        container.putArchive(pack as unknown as NodeJS.ReadableStream, { path: '/data' }),
        feed,
      ]);
    });
  }

  async #withHelper<T>(
    volume: string,
    readOnly: boolean,
    use: (c: Docker.Container) => Promise<T>,
  ): Promise<T> {
    const { image } = await this.host.specConfig();
    const container = await this.host.docker.createContainer({
      name: `${volume}-ops-${nanoid(6)
        .toLowerCase()
        .replace(/[^a-z0-9]/g, 'x')}`,
      Image: image,
      User: `${SILO_USER.uid}:${SILO_USER.gid}`,
      NetworkDisabled: true,
      Labels: { [HELPER_LABEL]: volume },
      HostConfig: {
        NetworkMode: 'none',
        Mounts: [{ Type: 'volume', Source: volume, Target: '/data', ReadOnly: readOnly }],
      },
    });
    try {
      return await use(container);
    } finally {
      await tolerate([404], () => container.remove({ force: true }));
    }
  }
}
