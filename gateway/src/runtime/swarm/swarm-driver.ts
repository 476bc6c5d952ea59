import { TENANT_ID_PATTERN } from '@silo/contracts';
import Docker from 'dockerode';
import type { ImageBuildOptions } from '../../images/image-builder.js';
import type { ContainerSpecConfig } from '../docker/container-spec.js';
import { tolerate } from '../docker/engine-errors.js';
import { DockerEvents, watchRuntimeEvents } from '../docker/events.js';
import { pinnedImage, resolveSpecConfig } from '../docker/image-config.js';
import { checkScope, containerName, DEFAULT_SCOPE, LABELS, networkName, ownedBy } from '../docker/scope.js';
import { DockerStartError } from '../docker/start-container.js';
import type {
  Endpoint,
  InstanceStatus,
  ReconcileSummary,
  RuntimeDriver,
  RuntimeEvent,
  StartRequest,
  TenantLimits,
} from '../runtime-driver.js';
import { closeRelay, releaseRelays } from './relay.js';
import { NODE_LABEL, RUNTIME_LABEL, serviceSpec } from './service-spec.js';
import { endpointOfTask, tasksOf, waitNewTask, waitTaskAlive } from './start-task.js';
import { SwarmEngine, type SwarmService } from './swarm-engine.js';
import { SwarmReconciler } from './swarm-reconcile.js';
import { containerIdOf, isFinal, isRunning, latestTask, tokenOf } from './task-status.js';

export type SwarmDriverOptions = {
  /** A manager node's engine. @default new Docker() (DOCKER_HOST or /var/run/docker.sock) */
  docker?: Docker;
  /** The image every node runs. @default `silo-orchestrator:<orchestrator version>`, built when missing */
  image?: string;
  /** How to build the image on first use; `false`: it must exist. @default {} (auto) */
  build?: ImageBuildOptions | false;
  /** @default { memoryMb: 512, cpus: 1, pids: 256 } */
  defaultLimits?: Partial<Required<TenantLimits>>;
  /** @default 64 */
  tmpfsMb?: number;
  /** Bound on a start: task scheduled, running, instance answering `/healthz`. @default 30000 */
  aliveTimeoutMs?: number;
  /** Grace the engine gives a task it stops itself (a stop by the gateway passes its own). @default 10000 */
  stopGraceMs?: number;
  onProgress?: (line: string) => void;
  /** Time between reporting a service of an unknown tenant and scaling it to 0. @default 60000 */
  orphanGraceMs?: number;
  onOrphanStopped?: (tenantId: string, ref: string) => void;
  /** `SILO_SCOPE` (`docker/scope.ts`): the same names and labels as the Docker runtime. @default 'default' */
  scope?: string;
  /** Extra labels on everything created, required of everything listed (tests tag their run). @default {} */
  labels?: Record<string, string>;
  /** The node a new tenant is pinned to. @default the ready node with the fewest tenants */
  placeOn?: (tenantId: string) => Promise<string> | string;
};

/**
 * The Swarm runtime (`SILO_RUNTIME=swarm`): per tenant one service
 * `silo-<id>` at 0 or 1 replicas, pinned to the node that holds its volume
 * `silo-<id>-data`, on its own node-local network `silo-<id>-net`, with the
 * hardening of `service-spec.ts`. Each start updates the service (new
 * instance token, new per-start swarm secret) and scales it to 1; a stop
 * scales it to 0 and removes the secret. The gateway reaches the task
 * through a loopback relay (`relay.ts`): nothing is published.
 *
 * @example
 * const driver = new SwarmDriver({ scope: 'blue' });
 * const endpoint = await driver.start({ tenantId: 'acme', instanceToken: token });
 */
export class SwarmDriver implements RuntimeDriver {
  readonly name = 'swarm';
  readonly docker: Docker;
  readonly scope: string;
  readonly #options: SwarmDriverOptions;
  readonly #labels: Record<string, string>;
  readonly #engine: SwarmEngine;
  #spec: Promise<ContainerSpecConfig & { command: string[] }> | undefined;
  #events: DockerEvents | undefined;
  readonly #expected = new Set<string>();
  readonly #starting = new Set<string>();
  #reconciler: SwarmReconciler | undefined;

  constructor(options: SwarmDriverOptions = {}) {
    this.docker = options.docker ?? new Docker();
    this.scope = checkScope(options.scope ?? DEFAULT_SCOPE);
    this.#labels = options.labels ?? {};
    this.#options = options;
    this.#engine = new SwarmEngine(this.docker, this.scope, this.#labels);
  }

  /** The image (found or built once) and its command. */
  specConfig(): Promise<ContainerSpecConfig & { command: string[] }> {
    this.#spec ??= (async () => {
      const config = await resolveSpecConfig(this.docker, { ...this.#options, scope: this.scope });
      const image = await this.docker.getImage(config.image).inspect();
      return { ...config, command: [...(image.Config.Entrypoint ?? []), ...(image.Config.Cmd ?? [])] };
    })().catch((err: unknown) => {
      this.#spec = undefined;
      throw err;
    });
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

  /**
   * The image of the tenant's pinned orchestrator version, chosen as the
   * Docker driver does (`pinnedImage`: `<repo>:<version>`, an error naming
   * the version when it is not there), with that image's own command: never
   * another version silently.
   */
  async #configFor(version: string | undefined): Promise<ContainerSpecConfig & { command: string[] }> {
    const base = await this.specConfig();
    if (version === undefined || version === base.version) return base;
    const config = await pinnedImage(this.docker, base, version);
    const image = await this.docker.getImage(config.image).inspect();
    return { ...config, command: [...(image.Config.Entrypoint ?? []), ...(image.Config.Cmd ?? [])] };
  }

  async #start(request: StartRequest): Promise<Endpoint> {
    const { tenantId } = request;
    const config = await this.#configFor(request.version);
    const existing = await this.#engine.service(tenantId);
    const before = existing ? await tasksOf(this.docker, existing.ID) : [];
    const current = latestTask(before);
    if (existing && replicas(existing) === 1 && current && !isFinal(current)) {
      throw new Error(`instance of ${tenantId} is already running (task ${current.ID.slice(0, 12)})`);
    }
    await this.#engine.ensureNetwork(tenantId, config.version);
    const nodeId = existing?.Spec?.Labels?.[NODE_LABEL] ?? (await this.#placeNew(tenantId));
    const secret = await this.#engine.createSecret(tenantId, config.version, request.secrets);
    const spec = serviceSpec({
      request,
      config,
      command: config.command,
      nodeId,
      ...(secret ? { secret } : {}),
      labels: this.#labels,
      stopGraceMs: this.#options.stopGraceMs ?? 10_000,
      replicas: 1,
      forceUpdate: (existing?.Spec?.TaskTemplate?.ForceUpdate ?? 0) + 1,
    });
    const serviceId = await this.#engine.apply(existing, spec);
    let task: Awaited<ReturnType<typeof waitNewTask>> | undefined;
    try {
      const timeoutMs = this.#options.aliveTimeoutMs ?? 30_000;
      const t0 = Date.now();
      task = await waitNewTask(this.docker, serviceId, new Set(before.map((t) => t.ID)), timeoutMs);
      const endpoint = await endpointOfTask(
        this.docker,
        spec.Name ?? '',
        task,
        networkName(tenantId, this.scope),
        this,
      );
      await waitTaskAlive(this.docker, endpoint, task, Math.max(1_000, timeoutMs - (Date.now() - t0)));
      await this.#engine.removeSecrets(tenantId, secret?.name);
      return endpoint;
    } catch (err) {
      const logs = await this.logs(tenantId, { tail: 20 }).catch(() => '');
      const containerId = containerIdOf(task);
      if (containerId) this.#expected.add(containerId);
      await this.#scaleDown(tenantId).catch(() => undefined);
      throw new DockerStartError(tenantId, (err as Error).message, logs, { cause: err });
    }
  }

  async #placeNew(tenantId: string): Promise<string> {
    if (this.#options.placeOn) return this.#options.placeOn(tenantId);
    return this.#engine.leastLoadedNode(tenantId);
  }

  async stop(tenantId: string, graceMs: number): Promise<void> {
    checkId(tenantId);
    const service = await this.#engine.service(tenantId);
    if (!service) return;
    const task = latestTask(await tasksOf(this.docker, service.ID));
    const containerId = containerIdOf(task);
    if (containerId && !isFinal(task)) {
      this.#expected.add(containerId);
      // The gateway's own grace, on this node; a task elsewhere gets the service's `StopGracePeriod`.
      const t = Math.max(0, Math.ceil(graceMs / 1000));
      await tolerate([304, 404], () => this.docker.getContainer(containerId).stop({ t }));
    }
    await this.#scaleDown(tenantId);
  }

  /** Replicas 0, no secret referenced, the task gone, its relay closed, its secrets removed. */
  async #scaleDown(tenantId: string): Promise<void> {
    const service = await this.#engine.scaleToZero(tenantId);
    if (service) await this.#engine.waitNoTask(service.ID, (id) => this.#expected.add(id));
    await closeRelay(containerName(tenantId, this.scope));
    await this.#engine.removeSecrets(tenantId);
  }

  async remove(tenantId: string, options: { purge: boolean }): Promise<void> {
    checkId(tenantId);
    await this.#engine.removeAll(tenantId, options, (id) => this.#expected.add(id));
    await closeRelay(containerName(tenantId, this.scope));
  }

  async inspect(tenantId: string): Promise<InstanceStatus> {
    checkId(tenantId);
    const service = await this.#engine.service(tenantId);
    return service ? this.#statusOf(tenantId, service) : { tenantId, state: 'absent' };
  }

  async #statusOf(tenantId: string, service: SwarmService): Promise<InstanceStatus> {
    const task = latestTask(await tasksOf(this.docker, service.ID));
    const containerId = containerIdOf(task);
    const token = tokenOf(task);
    const base = {
      tenantId,
      ...(containerId ? { ref: containerId } : {}),
      ...(token ? { instanceToken: token } : {}),
    };
    const key = containerName(tenantId, this.scope);
    if (task && replicas(service) === 1 && isRunning(task)) {
      const endpoint = await endpointOfTask(
        this.docker,
        key,
        task,
        networkName(tenantId, this.scope),
        this,
      ).catch(() => undefined);
      const startedAt = task.Status?.Timestamp;
      return {
        ...base,
        state: 'running',
        ...(endpoint ? { endpoint } : {}),
        ...(startedAt ? { startedAt } : {}),
      };
    }
    await closeRelay(key);
    const exitCode = task?.Status?.ContainerStatus?.ExitCode;
    return { ...base, state: 'stopped', ...(exitCode !== undefined ? { exitCode } : {}) };
  }

  async list(): Promise<InstanceStatus[]> {
    const out: InstanceStatus[] = [];
    for (const service of await this.#engine.services()) {
      const tenantId = service.Spec?.Labels?.[LABELS.tenant] ?? '';
      if (TENANT_ID_PATTERN.test(tenantId)) out.push(await this.#statusOf(tenantId, service));
    }
    return out;
  }

  async logs(tenantId: string, options: { tail?: number } = {}): Promise<string> {
    checkId(tenantId);
    const service = await this.#engine.service(tenantId);
    return service ? this.#engine.logs(service, options.tail ?? 200) : '';
  }

  /** Whether something with these labels is this driver's: scope, runtime, extra labels. */
  #owns = (labels: Record<string, string> | undefined) =>
    ownedBy(labels, this.scope, { ...this.#labels, [RUNTIME_LABEL]: 'swarm' });

  /** The engine's container events for this driver's tasks (on this node), started on first call. */
  events(): DockerEvents {
    if (!this.#events) {
      this.#events = new DockerEvents(this.docker, {
        expected: (id) => this.#expected.has(id),
        owns: this.#owns,
      });
      this.#events.on('instance:died', (e) => {
        void closeRelay(containerName(e.tenantId, this.scope), e.containerId);
      });
      void this.#events.start();
    }
    return this.#events;
  }

  watch(listener: (event: RuntimeEvent) => void): () => void {
    return watchRuntimeEvents(this.events(), listener);
  }

  /**
   * Running services of known tenants are left for adoption; a service whose
   * task ended while no gateway watched is scaled to 0; services of unknown
   * tenants are reported and scaled to 0 after `orphanGraceMs`; secrets no
   * service uses are removed.
   */
  async reconcile(
    knownTenants: () => Promise<Iterable<string>> | Iterable<string>,
  ): Promise<ReconcileSummary> {
    this.#reconciler ??= new SwarmReconciler(this.#engine, {
      knownTenants,
      skip: (tenantId) => this.#starting.has(tenantId),
      orphanGraceMs: this.#options.orphanGraceMs ?? 60_000,
      scaleDown: async (tenantId, containerId) => {
        if (containerId) this.#expected.add(containerId);
        await this.#scaleDown(tenantId);
      },
      onOrphanStopped: (tenantId, ref) => this.#options.onOrphanStopped?.(tenantId, ref),
    });
    return this.#reconciler.run();
  }

  async close(): Promise<void> {
    this.#reconciler?.close();
    this.#reconciler = undefined;
    await this.#events?.close();
    this.#events = undefined;
    await releaseRelays(this);
  }
}

function replicas(service: SwarmService): number {
  return service.Spec?.Mode?.Replicated?.Replicas ?? 0;
}

function checkId(tenantId: string): void {
  if (!TENANT_ID_PATTERN.test(tenantId)) throw new Error(`invalid tenant id "${tenantId}"`);
}
