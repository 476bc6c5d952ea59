import type { Duplex } from 'node:stream';
import { TENANT_ID_PATTERN } from '@silo/contracts';
import Docker from 'dockerode';
import {
  ensureOrchestratorImage,
  type ImageBuildOptions,
  ORCHESTRATOR_REPO,
} from '../../images/image-builder.js';
import type {
  Endpoint,
  InstanceStatus,
  ReconcileSummary,
  RuntimeDriver,
  RuntimeEvent,
  StartRequest,
  TenantLimits,
} from '../runtime-driver.js';
import {
  CONTAINER_PORT,
  type ContainerSpecConfig,
  containerName,
  containerSpec,
  DEFAULT_LIMITS,
  DEFAULT_TMPFS_MB,
  LABELS,
  networkName,
  networkSpec,
  volumeName,
  volumeSpec,
} from './container-spec.js';
import { demuxLogs } from './demux-logs.js';
import { DockerEvents } from './events.js';
import { DockerReconciler } from './reconcile.js';
import { waitAlive } from './wait-alive.js';

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
  defaultLimits?: Partial<Required<TenantLimits>>;
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
   * Extra labels put on every container this driver creates; `list` (adoption)
   * and `reconcile` then see only containers that carry them, so several
   * gateways (or test runs) can share one engine without taking each other's
   * containers for orphans. @default {} (the whole engine is this gateway's)
   */
  scope?: Record<string, string>;
};

/** A container that did not come up; `logs` holds its last lines (the reason, for the crash-loop breaker). */
export class DockerStartError extends Error {
  override readonly name = 'DockerStartError';
  readonly code = 'INSTANCE_START_FAILED';
  constructor(
    readonly tenantId: string,
    reason: string,
    readonly logs: string,
    options?: ErrorOptions,
  ) {
    super(
      `instance of ${tenantId} did not start: ${reason}${logs ? `; last output:\n${logs}` : ''}`,
      options,
    );
  }
}

type DockerError = Error & { statusCode?: number };
const status = (err: unknown) => (err as DockerError).statusCode;
/** Runs `fn`, treating the listed HTTP statuses of the engine as "nothing to do". */
async function tolerate<T>(codes: number[], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (codes.includes(status(err) ?? 0)) return undefined;
    throw err;
  }
}

/**
 * The Docker runtime (dockerode): per tenant one container `silo-<id>`, one
 * named volume `silo-<id>-data` on `/data`, one bridge network `silo-<id>-net`,
 * hardened as `container-spec.ts` describes. A stopped container is kept (its
 * logs and exit code stay readable) and replaced by a fresh one on the next
 * start, since the instance token changes with every start. Running containers
 * are found again by name and labels, so a restarted gateway adopts them.
 *
 * @example
 * const driver = new DockerDriver({ onProgress: (line) => log.info(line) });
 * const endpoint = await driver.start({ tenantId: 'acme', instanceToken: token });
 */
export class DockerDriver implements RuntimeDriver {
  readonly name = 'docker';
  readonly docker: Docker;
  readonly #options: DockerDriverOptions;
  #spec: Promise<ContainerSpecConfig> | undefined;
  #events: DockerEvents | undefined;
  /** Containers this driver stopped or removed itself: their `die` is expected. */
  readonly #expected = new Set<string>();
  /** Containers the kernel OOM-killed (the `oom` event comes before `die`). */
  readonly #oomKilled = new Set<string>();
  /** Tenants whose container is being created and started right now: reconcile leaves them alone. */
  readonly #starting = new Set<string>();
  #reconciler: DockerReconciler | undefined;

  constructor(options: DockerDriverOptions = {}) {
    this.docker = options.docker ?? new Docker();
    this.#options = options;
  }

  /** Builds (or finds) the image once per driver; later starts reuse the answer. */
  specConfig(): Promise<ContainerSpecConfig> {
    this.#spec ??= this.#resolveSpec().catch((err: unknown) => {
      this.#spec = undefined;
      throw err;
    });
    return this.#spec;
  }

  async #resolveSpec(): Promise<ContainerSpecConfig> {
    const o = this.#options;
    const base = {
      defaultLimits: { ...DEFAULT_LIMITS, ...o.defaultLimits },
      tmpfsMb: o.tmpfsMb ?? DEFAULT_TMPFS_MB,
      bindHost: o.bindHost ?? '127.0.0.1',
    };
    if (o.build === false) {
      const image = o.image ?? `${ORCHESTRATOR_REPO}:latest`;
      const info = await this.docker.getImage(image).inspect();
      return {
        ...base,
        image,
        version: info.Config.Labels?.[LABELS.version] ?? image.split(':')[1] ?? 'unknown',
      };
    }
    const built = await ensureOrchestratorImage(this.docker, {
      ...o.build,
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    return { ...base, image: o.image ?? built.tag, version: built.version };
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
    if (current) {
      await this.docker.getContainer(current.Id).remove({ force: true });
      this.#expected.delete(current.Id);
    }
    await this.#ensureNetwork(request.tenantId, config.version);
    await this.#ensureVolume(request.tenantId, config.version);
    const spec = containerSpec(request, config);
    spec.Labels = { ...spec.Labels, ...this.#options.scope };
    const container = await this.docker.createContainer(spec);
    try {
      let stdin: Duplex | undefined;
      if (request.secrets !== undefined) {
        // Attach before start: what is written waits in the pipe until the instance reads it.
        stdin = (await container.attach({ stream: true, stdin: true, hijack: true })) as unknown as Duplex;
      }
      await container.start();
      if (stdin) {
        stdin.on('error', () => undefined);
        stdin.end(JSON.stringify(request.secrets));
      }
      const info = await container.inspect();
      const endpoint = endpointOf(info);
      if (!endpoint) throw new Error(`container ${containerName(request.tenantId)} has no published port`);
      await waitAlive(endpoint, {
        timeoutMs: this.#options.aliveTimeoutMs ?? 20_000,
        stillRunning: async () => (await container.inspect()).State.Running,
      });
      return endpoint;
    } catch (err) {
      // Keep the exited container: its logs and exit code say why (crash-loop reasons).
      const tail = await this.logs(request.tenantId, { tail: 20 }).catch(() => '');
      const state = await container.inspect().catch(() => undefined);
      if (state?.State.Running) {
        this.#expected.add(container.id);
        await container.remove({ force: true }).catch(() => undefined);
      }
      const exited =
        state && !state.State.Running
          ? ` (${describeExit(state.State.ExitCode, state.State.OOMKilled === true)})`
          : '';
      throw new DockerStartError(request.tenantId, `${(err as Error).message}${exited}`, tail, {
        cause: err,
      });
    }
  }

  async stop(tenantId: string, graceMs: number): Promise<void> {
    checkId(tenantId);
    const current = await this.#inspectRaw(tenantId);
    if (!current?.State.Running) return;
    this.#expected.add(current.Id);
    // 304: already stopped; 404: removed meanwhile.
    await tolerate([304, 404], () =>
      this.docker.getContainer(current.Id).stop({ t: Math.max(0, Math.ceil(graceMs / 1000)) }),
    );
  }

  async remove(tenantId: string, options: { purge: boolean }): Promise<void> {
    checkId(tenantId);
    const current = await this.#inspectRaw(tenantId);
    if (current) {
      if (current.State.Running) this.#expected.add(current.Id);
      await tolerate([404, 409], () => this.docker.getContainer(current.Id).remove({ force: true }));
    }
    await tolerate([404], () => this.docker.getNetwork(networkName(tenantId)).remove());
    if (options.purge) await tolerate([404], () => this.docker.getVolume(volumeName(tenantId)).remove());
  }

  async inspect(tenantId: string): Promise<InstanceStatus> {
    checkId(tenantId);
    const info = await this.#inspectRaw(tenantId);
    return info ? statusOf(tenantId, info) : { tenantId, state: 'absent' };
  }

  /** `key=value` label filters of this driver's scope. */
  #scopeFilters(): string[] {
    return Object.entries(this.#options.scope ?? {}).map(([k, v]) => `${k}=${v}`);
  }

  async list(): Promise<InstanceStatus[]> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.managed}=true`, ...this.#scopeFilters()] },
    });
    const out: InstanceStatus[] = [];
    for (const c of containers) {
      const tenantId = c.Labels[LABELS.tenant];
      if (!tenantId || !TENANT_ID_PATTERN.test(tenantId)) continue;
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
      this.#events = new DockerEvents(this.docker, { expected: (id) => this.#expected.has(id) });
      void this.#events.start();
    }
    return this.#events;
  }

  /**
   * The lifecycle's view of the events: deaths the driver did not cause
   * (with the reason: exit code, killed, OOM) and engine reconnects.
   */
  watch(listener: (event: RuntimeEvent) => void): () => void {
    const events = this.events();
    const offs = [
      events.on('instance:oom', (e) => {
        this.#oomKilled.add(e.containerId);
      }),
      events.on('instance:died', (e) => {
        const oom = this.#oomKilled.delete(e.containerId);
        if (e.expected) return;
        listener({
          type: 'instance:exited',
          tenantId: e.tenantId,
          ref: e.containerId,
          exitCode: e.exitCode,
          reason: `container ${e.containerId.slice(0, 12)} died: ${describeExit(e.exitCode, oom)}`,
          at: e.at,
        });
      }),
      events.on('engine:reconnected', (e) =>
        listener({ type: 'runtime:reconnected', downForMs: e.downForMs }),
      ),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  /**
   * Reconcile (gateway start, engine reconnect): running containers of known
   * tenants are left running for adoption, containers stuck in `created` or
   * `dead` are removed, containers of unknown tenants are reported and
   * stopped after `orphanGraceMs`. A tenant being started right now is skipped.
   */
  async reconcile(knownTenants: () => Iterable<string>): Promise<ReconcileSummary> {
    this.#reconciler ??= new DockerReconciler(this.docker, {
      knownTenants,
      skip: (tenantId) => this.#starting.has(tenantId),
      labels: this.#scopeFilters(),
      ...(this.#options.orphanGraceMs !== undefined ? { orphanGraceMs: this.#options.orphanGraceMs } : {}),
      onOrphanStopped: (orphan) => {
        this.#expected.add(orphan.containerId);
        this.#options.onOrphanStopped?.(orphan.tenantId, orphan.containerId);
      },
    });
    const report = await this.#reconciler.run();
    return {
      running: report.adopted.map((c) => c.tenantId),
      removed: report.removed.map((c) => c.tenantId),
      orphans: report.orphans.map((c) => c.tenantId),
    };
  }

  async close(): Promise<void> {
    this.#reconciler?.close();
    this.#reconciler = undefined;
    await this.#events?.close();
    this.#events = undefined;
  }

  /** The tenant's container, if it exists and is ours (labels); a stranger with our name is an error. */
  async #inspectRaw(tenantId: string): Promise<Docker.ContainerInspectInfo | undefined> {
    const info = await tolerate([404], () => this.docker.getContainer(containerName(tenantId)).inspect());
    if (!info) return undefined;
    const l = info.Config.Labels ?? {};
    if (l[LABELS.managed] !== 'true' || l[LABELS.tenant] !== tenantId) {
      throw new Error(
        `container ${containerName(tenantId)} exists but is not managed by Silo: refusing to touch it`,
      );
    }
    return info;
  }

  async #ensureNetwork(tenantId: string, version: string): Promise<void> {
    const exists = await tolerate([404], () => this.docker.getNetwork(networkName(tenantId)).inspect());
    if (exists) return;
    await tolerate([409], () => this.docker.createNetwork(networkSpec(tenantId, version)));
  }

  async #ensureVolume(tenantId: string, version: string): Promise<void> {
    const exists = await tolerate([404], () => this.docker.getVolume(volumeName(tenantId)).inspect());
    if (exists) return;
    await this.docker.createVolume(volumeSpec(tenantId, version));
  }
}

/** "exit code 137 (killed: SIGKILL, docker kill or the OOM killer)" and the like. */
function describeExit(exitCode: number | undefined, oom: boolean): string {
  if (oom)
    return `out of memory (OOM killed, exit code ${exitCode ?? 'unknown'}): raise the tenant's memory limit`;
  if (exitCode === undefined) return 'exit code unknown';
  if (exitCode === 137) return 'exit code 137 (SIGKILL: docker kill, or the OOM killer)';
  if (exitCode === 143) return 'exit code 143 (SIGTERM from outside the gateway)';
  return `exit code ${exitCode}`;
}

function checkId(tenantId: string): void {
  if (!TENANT_ID_PATTERN.test(tenantId)) throw new Error(`invalid tenant id "${tenantId}"`);
}

function endpointOf(info: Docker.ContainerInspectInfo): Endpoint | undefined {
  const binding = info.NetworkSettings.Ports?.[`${CONTAINER_PORT}/tcp`]?.[0];
  if (!binding?.HostPort) return undefined;
  const host = binding.HostIp && binding.HostIp !== '0.0.0.0' ? binding.HostIp : '127.0.0.1';
  const port = Number(binding.HostPort);
  return { url: `http://${host}:${port}`, host, port };
}

function statusOf(tenantId: string, info: Docker.ContainerInspectInfo): InstanceStatus {
  const token = info.Config.Env?.find((e) => e.startsWith('SILO_INSTANCE_TOKEN='))?.slice(20);
  const base = { tenantId, ref: info.Id, ...(token ? { instanceToken: token } : {}) };
  if (info.State.Running) {
    const endpoint = endpointOf(info);
    return { ...base, state: 'running', ...(endpoint ? { endpoint } : {}), startedAt: info.State.StartedAt };
  }
  return { ...base, state: 'stopped', exitCode: info.State.ExitCode };
}
