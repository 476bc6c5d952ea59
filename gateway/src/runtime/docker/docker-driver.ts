import { TENANT_ID_PATTERN } from '@silo/contracts';
import Docker from 'dockerode';
import type { ImageBuildOptions } from '../../images/image-builder.js';
import type {
  Endpoint,
  InstanceStatus,
  ReconcileSummary,
  ResourceLimits,
  RuntimeDriver,
  RuntimeEvent,
  StartRequest,
} from '../runtime-driver.js';
import { type ContainerSpecConfig, containerSpec, networkSpec, volumeSpec } from './container-spec.js';
import { statusOf } from './container-status.js';
import { demuxLogs } from './demux-logs.js';
import { explainNetworkError, tolerate } from './engine-errors.js';
import { DockerEvents, watchRuntimeEvents } from './events.js';
import { pinnedImage, resolveSpecConfig } from './image-config.js';
import { DockerReconciler } from './reconcile.js';
import {
  checkScope,
  containerName,
  DEFAULT_SCOPE,
  LABELS,
  networkName,
  ownedByDocker,
  scopeFilters,
  volumeName,
} from './scope.js';
import { startContainer } from './start-container.js';
import { Thawer, type ThawerOptions } from './thawer.js';

export type DockerDriverOptions = {
  /** @default new Docker() (DOCKER_HOST or /var/run/docker.sock) */
  docker?: Docker;
  /**
   * The image to run. With `build` (the default), it is built when missing or
   * stale on the first start. @default `silo-orchestrator:<orchestrator version>`
   */
  image?: string;
  /** How to build the image on first use; `false`: never build, the image must exist. @default {} (auto) */
  build?: ImageBuildOptions | false;
  /** Limits for tenants that set none. @default { memoryMb: 512, cpus: 1, pids: 256 } */
  defaultLimits?: Partial<Required<ResourceLimits>>;
  /** @default 64 */
  tmpfsMb?: number;
  /** Where instance ports are published. @default '127.0.0.1' */
  bindHost?: string;
  /** Bound on the instance answering `/healthz` after its container started. @default 20000 */
  aliveTimeoutMs?: number;
  /** Progress of image builds, for the gateway's log. @default no output */
  onProgress?: (line: string) => void;
  /** Time between reporting a container of an unknown tenant (reconcile) and stopping it. @default 60000 */
  orphanGraceMs?: number;
  /** Orphans stopped after their grace period, for the log. @default nothing */
  onOrphanStopped?: (tenantId: string, containerId: string) => void;
  /**
   * `SILO_SCOPE`: the namespace of this gateway's containers, volumes and
   * networks in a shared engine (`scope.ts`); `list`, `reconcile` and the
   * events see only its own. @default 'default' (the names of an install made before scopes)
   */
  scope?: string;
  /**
   * Extra labels put on every container this driver creates and required of
   * every container it lists or reconciles (tests tag their run with one).
   * @default {}
   */
  labels?: Record<string, string>;
  /** How a paused container is resumed (`SILO_DOCKER_THAW`, `thawer.ts`). @default { mode: 'auto' } */
  thaw?: ThawerOptions;
};

/**
 * The Docker runtime (dockerode): per tenant one container `silo-<id>`, one
 * named volume `silo-<id>-data` on `/data`, one bridge network `silo-<id>-net`
 * (with `SILO_SCOPE=s`: `silo-s_<id>`…, `scope.ts`), hardened as
 * `container-spec.ts` describes. A stopped container is kept (its logs and
 * exit code stay readable) and replaced by a fresh one on the next start,
 * since the instance token changes with every start. Running containers are
 * found again by name and labels, so a restarted gateway adopts them.
 *
 * @example
 * const driver = new DockerDriver({ onProgress: (line) => log.info(line) });
 * const endpoint = await driver.start({ tenantId: 'acme', instanceToken: token });
 */
export class DockerDriver implements RuntimeDriver {
  readonly name = 'docker';
  readonly docker: Docker;
  /** `SILO_SCOPE` of this driver. */
  readonly scope: string;
  readonly #options: DockerDriverOptions;
  readonly #labels: Record<string, string>;
  #spec: Promise<ContainerSpecConfig> | undefined;
  #events: DockerEvents | undefined;
  /** Containers this driver stopped or removed itself: their `die` is expected. */
  readonly #expected = new Set<string>();
  /** Tenants whose container is being created and started right now: reconcile leaves them alone. */
  readonly #starting = new Set<string>();
  #reconciler: DockerReconciler | undefined;
  readonly #thawer: Thawer;

  constructor(options: DockerDriverOptions = {}) {
    this.docker = options.docker ?? new Docker();
    this.scope = checkScope(options.scope ?? DEFAULT_SCOPE);
    this.#labels = options.labels ?? {};
    this.#options = options;
    this.#thawer = new Thawer(this.docker, options.thaw);
  }

  /** Builds (or finds) the image once per driver; later starts reuse the answer. */
  specConfig(): Promise<ContainerSpecConfig> {
    this.#spec ??= resolveSpecConfig(this.docker, { ...this.#options, scope: this.scope }).catch(
      (err: unknown) => {
        this.#spec = undefined;
        throw err;
      },
    );
    return this.#spec;
  }

  async start(request: StartRequest): Promise<Endpoint> {
    checkId(request.tenantId);
    this.#starting.add(request.tenantId);
    try {
      return await this.#start(request);
    } finally {
      this.#starting.delete(request.tenantId);
    }
  }

  async #start(request: StartRequest): Promise<Endpoint> {
    const config = await this.specConfig();
    const current = await this.#inspectRaw(request.tenantId);
    if (current?.State.Running) {
      throw new Error(
        `instance of ${request.tenantId} is already running (container ${current.Id.slice(0, 12)})`,
      );
    }
    // Independent engine calls at once: each is a round trip to dockerd, which serves them in parallel.
    const [, , , image] = await Promise.all([
      current &&
        this.docker
          .getContainer(current.Id)
          .remove({ force: true })
          .then(() => this.#expected.delete(current.Id)),
      this.#ensureNetwork(request.tenantId, config.version),
      this.#ensureVolume(request.tenantId, config.version),
      pinnedImage(this.docker, config, request.version),
    ]);
    const spec = containerSpec(request, image);
    spec.Labels = { ...spec.Labels, ...this.#labels };
    return startContainer(this.docker, spec, request, {
      aliveTimeoutMs: this.#options.aliveTimeoutMs ?? 20_000,
      tail: () => this.logs(request.tenantId, { tail: 20 }),
      expect: (id) => this.#expected.add(id),
    });
  }

  async stop(tenantId: string, graceMs: number): Promise<void> {
    const name = containerName(checkId(tenantId), this.scope);
    // A container thawed through its freezer: dockerd is told first, so that it stops a running one.
    await this.#thawer.settle(name).catch(() => undefined);
    const current = await this.#inspectRaw(tenantId);
    if (!current?.State.Running) return;
    this.#expected.add(current.Id);
    // A paused container holds the stop signal until thawed: unpause first (not paused meanwhile: fine).
    if (current.State.Paused) await this.#thawer.unpause(name);
    // 304: already stopped; 404: removed meanwhile.
    await tolerate([304, 404], () =>
      this.docker.getContainer(current.Id).stop({ t: Math.max(0, Math.ceil(graceMs / 1000)) }),
    );
  }

  /**
   * `docker pause` (the cgroup freezer): memory kept, no CPU. `resume`: a
   * write to the container's freezer when this host allows it, else the
   * engine's unpause (`thawer.ts`); gone or not paused is fine.
   */
  async pause(tenantId: string): Promise<void> {
    await this.#thawer.pause(containerName(checkId(tenantId), this.scope));
  }
  async resume(tenantId: string): Promise<void> {
    await this.#thawer.resume(containerName(checkId(tenantId), this.scope));
  }

  async remove(tenantId: string, options: { purge: boolean }): Promise<void> {
    await this.#thawer.settle(containerName(checkId(tenantId), this.scope)).catch(() => undefined);
    const current = await this.#inspectRaw(tenantId);
    if (current) {
      if (current.State.Running) this.#expected.add(current.Id);
      await tolerate([404, 409], () => this.docker.getContainer(current.Id).remove({ force: true }));
    }
    await tolerate([404], () => this.docker.getNetwork(networkName(tenantId, this.scope)).remove());
    if (options.purge) {
      await tolerate([404], () => this.docker.getVolume(volumeName(tenantId, this.scope)).remove());
    }
  }

  async inspect(tenantId: string): Promise<InstanceStatus> {
    checkId(tenantId);
    const info = await this.#inspectRaw(tenantId);
    return info ? statusOf(tenantId, info) : { tenantId, state: 'absent' };
  }

  /** Whether a container with these labels is this driver's: its scope and its extra labels. */
  #owns = (labels: Record<string, string> | undefined) => ownedByDocker(labels, this.scope, this.#labels);

  async list(): Promise<InstanceStatus[]> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.managed}=true`, ...scopeFilters(this.scope, this.#labels)] },
    });
    const out: InstanceStatus[] = [];
    for (const c of containers) {
      const tenantId = c.Labels[LABELS.tenant];
      if (!this.#owns(c.Labels) || !tenantId || !TENANT_ID_PATTERN.test(tenantId)) continue;
      const info = await tolerate([404], () => this.docker.getContainer(c.Id).inspect());
      if (info) out.push(statusOf(tenantId, info));
    }
    return out;
  }

  async logs(tenantId: string, options: { tail?: number } = {}): Promise<string> {
    checkId(tenantId);
    const current = await this.#inspectRaw(tenantId);
    if (!current) return '';
    const raw = await this.docker
      .getContainer(current.Id)
      .logs({ stdout: true, stderr: true, follow: false, tail: options.tail ?? 200 });
    return demuxLogs(raw).replace(/\n$/, '');
  }

  /**
   * The engine's events for this driver's containers (started on first call):
   * `instance:died` tells a crash (`expected: false`) from a stop by the driver.
   */
  events(): DockerEvents {
    if (!this.#events) {
      this.#events = new DockerEvents(this.docker, {
        expected: (id) => this.#expected.has(id),
        owns: this.#owns,
      });
      void this.#events.start();
    }
    return this.#events;
  }

  /**
   * The lifecycle's view of the events: deaths the driver did not cause
   * (with the reason: exit code, killed, OOM) and engine reconnects.
   */
  watch(listener: (event: RuntimeEvent) => void): () => void {
    return watchRuntimeEvents(this.events(), listener);
  }

  /**
   * Reconcile (gateway start, engine reconnect): running containers of known
   * tenants are left running for adoption, containers stuck in `created` or
   * `dead` are removed, containers of unknown tenants are reported and
   * stopped after `orphanGraceMs`. Only this driver's scope is looked at; a
   * tenant being started right now is skipped.
   */
  async reconcile(
    knownTenants: () => Promise<Iterable<string>> | Iterable<string>,
  ): Promise<ReconcileSummary> {
    this.#reconciler ??= new DockerReconciler(this.docker, {
      knownTenants,
      skip: (tenantId) => this.#starting.has(tenantId),
      labels: scopeFilters(this.scope, this.#labels),
      owns: this.#owns,
      ...(this.#options.orphanGraceMs !== undefined ? { orphanGraceMs: this.#options.orphanGraceMs } : {}),
      // Marked before the stop: the engine's `die` event can arrive before the stop call returns.
      onOrphanStopping: (orphan) => this.#expected.add(orphan.containerId),
      onOrphanStopped: (orphan) => this.#options.onOrphanStopped?.(orphan.tenantId, orphan.containerId),
    });
    const report = await this.#reconciler.run();
    return {
      running: report.adopted.map((c) => c.tenantId),
      removed: report.removed.map((c) => c.tenantId),
      orphans: report.orphans.map((c) => c.tenantId),
    };
  }

  async close(): Promise<void> {
    await this.#thawer.close();
    this.#reconciler?.close();
    this.#reconciler = undefined;
    await this.#events?.close();
    this.#events = undefined;
  }

  /** The tenant's container, if it exists and is ours (labels); a stranger with our name is an error. */
  async #inspectRaw(tenantId: string): Promise<Docker.ContainerInspectInfo | undefined> {
    const name = containerName(tenantId, this.scope);
    const info = await tolerate([404], () => this.docker.getContainer(name).inspect());
    if (!info) return undefined;
    const labels = info.Config.Labels ?? {};
    if (!ownedByDocker(labels, this.scope) || labels[LABELS.tenant] !== tenantId) {
      const runtime = labels[LABELS.runtime];
      throw new Error(
        `container ${name} exists but is not managed by Silo's docker runtime${runtime && runtime !== 'docker' ? ` (silo.runtime=${runtime})` : ''}: refusing to touch it`,
      );
    }
    return info;
  }

  async #ensureNetwork(tenantId: string, version: string): Promise<void> {
    const name = networkName(tenantId, this.scope);
    const exists = await tolerate([404], () => this.docker.getNetwork(name).inspect());
    if (exists) return;
    try {
      await tolerate([409], () => this.docker.createNetwork(networkSpec(tenantId, version, this.scope)));
    } catch (err) {
      throw explainNetworkError(err, name);
    }
  }

  async #ensureVolume(tenantId: string, version: string): Promise<void> {
    const name = volumeName(tenantId, this.scope);
    const exists = await tolerate([404], () => this.docker.getVolume(name).inspect());
    if (exists) return;
    await this.docker.createVolume(volumeSpec(tenantId, version, this.scope));
  }
}

function checkId(tenantId: string): string {
  if (!TENANT_ID_PATTERN.test(tenantId)) throw new Error(`invalid tenant id "${tenantId}"`);
  return tenantId;
}
