import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { ContainerTaskSpec, ServiceSpec } from 'dockerode';
import { demuxLogs } from '../docker/demux-logs.js';
import { tolerate } from '../docker/engine-errors.js';
import { containerName, LABELS, networkName, ownedBy, scopeFilters, volumeName } from '../docker/scope.js';
import { NODE_LABEL, RUNTIME_LABEL, secretName, swarmLabels, swarmNetworkSpec } from './service-spec.js';
import { tasksOf } from './start-task.js';
import { containerIdOf, isFinal, latestTask, pickNode, type SwarmNode } from './task-status.js';

/** The fields of a service this runtime reads. */
export type SwarmService = { ID: string; Version?: { Index?: number }; Spec?: ServiceSpec };

/** Bound on waiting for the engine to let go of a task, a network or a volume. */
const SETTLE_MS = 30_000;

/**
 * The swarm objects of one driver (its scope and extra labels): services,
 * per-start secrets, networks, volumes. Every call checks ownership by
 * labels: an object with a Silo name that is not this driver's is an error,
 * never touched.
 */
export class SwarmEngine {
  readonly #docker: Docker;
  readonly #scope: string;
  readonly #labels: Record<string, string>;

  constructor(docker: Docker, scope: string, labels: Record<string, string>) {
    this.#docker = docker;
    this.#scope = scope;
    this.#labels = labels;
  }

  get docker(): Docker {
    return this.#docker;
  }

  #owns(labels: Record<string, string> | undefined): boolean {
    return ownedBy(labels, this.#scope, { ...this.#labels, [RUNTIME_LABEL]: 'swarm' });
  }

  #filters(tenantId?: string): string[] {
    return [
      `${LABELS.managed}=true`,
      `${RUNTIME_LABEL}=swarm`,
      ...scopeFilters(this.#scope, this.#labels),
      ...(tenantId ? [`${LABELS.tenant}=${tenantId}`] : []),
    ];
  }

  /** The tenant's service, if it exists and is this driver's. */
  async service(tenantId: string): Promise<SwarmService | undefined> {
    const name = containerName(tenantId, this.#scope);
    const info = (await tolerate([404], () => this.#docker.getService(name).inspect())) as
      | SwarmService
      | undefined;
    if (!info) return undefined;
    // The engine also finds a service by id prefix: only an exact name is ours.
    if (info.Spec?.Name !== name) return undefined;
    const labels = info.Spec?.Labels;
    if (!this.#owns(labels) || labels?.[LABELS.tenant] !== tenantId) {
      throw new Error(`service ${name} exists but is not managed by this Silo gateway: refusing to touch it`);
    }
    return info;
  }

  async services(): Promise<SwarmService[]> {
    const all = (await this.#docker.listServices({
      filters: { label: this.#filters() },
    })) as unknown as SwarmService[];
    return all.filter((s) => this.#owns(s.Spec?.Labels));
  }

  async ensureNetwork(tenantId: string, version: string): Promise<void> {
    const name = networkName(tenantId, this.#scope);
    if (await tolerate([404], () => this.#docker.getNetwork(name).inspect())) return;
    await tolerate([409], () =>
      this.#docker.createNetwork(swarmNetworkSpec(tenantId, version, this.#scope, this.#labels)),
    );
  }

  /**
   * One swarm secret per start holding the secrets as JSON: the engine keeps
   * it encrypted in the raft log and mounts it into the task as a file; the
   * service shows only its name and id. None when there are no secrets.
   */
  async createSecret(
    tenantId: string,
    version: string,
    secrets: Record<string, string> | undefined,
  ): Promise<{ id: string; name: string } | undefined> {
    if (!secrets || Object.keys(secrets).length === 0) return undefined;
    const name = secretName(tenantId, this.#scope, randomBytes(6).toString('hex'));
    const created = (await this.#docker.createSecret({
      Name: name,
      Labels: swarmLabels(tenantId, version, this.#scope, this.#labels),
      Data: Buffer.from(JSON.stringify(secrets)).toString('base64'),
    })) as { id?: string; ID?: string };
    return { id: created.id ?? created.ID ?? '', name };
  }

  /** Removes the tenant's secrets (all, or all but `keep`); one still in use stays for the next call. */
  async removeSecrets(tenantId: string, keep?: string): Promise<void> {
    const secrets = await this.#docker.listSecrets({ filters: { label: this.#filters(tenantId) } });
    for (const s of secrets) {
      if (!this.#owns(s.Spec?.Labels) || s.Spec?.Name === keep) continue;
      await tolerate([400, 404, 409], () => this.#docker.getSecret(s.ID).remove());
    }
  }

  /** Secrets of this driver that no service references (left by a gateway killed mid-start). */
  async removeUnusedSecrets(): Promise<string[]> {
    const used = new Set<string>();
    for (const s of await this.services())
      for (const ref of taskSpec(s.Spec)?.ContainerSpec?.Secrets ?? []) used.add(ref.SecretName ?? '');
    const removed: string[] = [];
    for (const s of await this.#docker.listSecrets({ filters: { label: this.#filters() } })) {
      if (!this.#owns(s.Spec?.Labels) || used.has(s.Spec?.Name ?? '')) continue;
      await tolerate([400, 404, 409], () => this.#docker.getSecret(s.ID).remove());
      removed.push(s.Spec?.Name ?? s.ID);
    }
    return removed;
  }

  /** Creates the service or updates it to `spec`; returns its id. */
  async apply(existing: SwarmService | undefined, spec: ServiceSpec): Promise<string> {
    if (!existing) {
      const created = (await this.#docker.createService(spec)) as { id?: string; ID?: string };
      return created.id ?? created.ID ?? '';
    }
    await this.#docker.getService(existing.ID).update({ ...spec, version: existing.Version?.Index });
    return existing.ID;
  }

  /** Replicas 0 and no secret referenced; the service (placement, volume) stays. */
  async scaleToZero(tenantId: string): Promise<SwarmService | undefined> {
    const service = await this.service(tenantId);
    const spec = service?.Spec;
    if (!service || !spec) return service;
    const template = taskSpec(spec);
    const secrets = template?.ContainerSpec?.Secrets ?? [];
    if ((spec.Mode?.Replicated?.Replicas ?? 0) === 0 && secrets.length === 0) return service;
    const next: ServiceSpec = {
      ...spec,
      Mode: { Replicated: { Replicas: 0 } },
      TaskTemplate: { ...template, ContainerSpec: { ...template?.ContainerSpec, Secrets: [] } },
    };
    await this.#docker.getService(service.ID).update({ ...next, version: service.Version?.Index });
    return service;
  }

  /** Waits (bounded) until no task of the service runs or is about to; `expect` hears their containers. */
  async waitNoTask(serviceId: string, expect: (containerId: string) => void): Promise<void> {
    const deadline = Date.now() + SETTLE_MS;
    while (Date.now() < deadline) {
      const live = (await tasksOf(this.#docker, serviceId)).filter((t) => !isFinal(t));
      for (const t of live) {
        const id = containerIdOf(t);
        if (id) expect(id);
      }
      if (live.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`service ${serviceId.slice(0, 12)} still has a task after ${SETTLE_MS} ms`);
  }

  /**
   * Removes the service, its secrets and network and, with `purge`, its
   * volume. The volume lives on the service's node: removed here when that
   * node is this engine's, else left with a clear error (remove it there).
   */
  async removeAll(
    tenantId: string,
    options: { purge: boolean },
    expect: (containerId: string) => void,
  ): Promise<void> {
    const service = await this.service(tenantId);
    const name = containerName(tenantId, this.#scope);
    if (service) {
      for (const t of await tasksOf(this.#docker, service.ID)) {
        const id = containerIdOf(t);
        if (id && !isFinal(t)) expect(id);
      }
      await tolerate([404], () => this.#docker.getService(service.ID).remove());
    }
    // The node's agent removes a removed service's containers in its own time: on this node, do it now.
    await this.#settle(`containers of ${name}`, async () => {
      const left = await this.#docker.listContainers({
        all: true,
        filters: { label: [`com.docker.swarm.service.name=${name}`] },
      });
      for (const c of left) {
        await tolerate([404, 409], () => this.#docker.getContainer(c.Id).remove({ force: true }));
      }
      return left.length === 0;
    });
    await this.removeSecrets(tenantId);
    await this.#settle(`network ${networkName(tenantId, this.#scope)}`, async () => {
      const network = this.#docker.getNetwork(networkName(tenantId, this.#scope));
      await tolerate([404], () => network.remove());
      // Gone from the manager's view too: a start right after must not find it half removed.
      return (await tolerate([404], () => network.inspect())) === undefined;
    });
    if (!options.purge) return;
    const node = service?.Spec?.Labels?.[NODE_LABEL];
    const local = (await this.#docker.info()).Swarm?.NodeID as string | undefined;
    if (node && local && node !== local) {
      throw new Error(
        `the data volume of ${tenantId} is on node ${node}: remove ${volumeName(tenantId, this.#scope)} there`,
      );
    }
    await this.#settle(`volume ${volumeName(tenantId, this.#scope)}`, async () => {
      await tolerate([404], () => this.#docker.getVolume(volumeName(tenantId, this.#scope)).remove());
      return true;
    });
  }

  /** The last lines of the service's newest task: from its container on this node, else gathered by the manager. */
  async logs(service: SwarmService, tail: number): Promise<string> {
    const containerId = containerIdOf(latestTask(await tasksOf(this.#docker, service.ID)));
    const opts = { stdout: true, stderr: true, follow: false as const, tail };
    const local = containerId
      ? await tolerate([404], () => this.#docker.getContainer(containerId).logs(opts))
      : undefined;
    const raw = local ?? ((await this.#docker.getService(service.ID).logs(opts)) as unknown as Buffer);
    return demuxLogs(raw).replace(/\n$/, '');
  }

  /**
   * Where a tenant without a service goes: this gateway's node when the
   * tenant's volume is already there (deleted without purge, created again),
   * else the ready node with the fewest of this driver's services (this
   * node on a tie).
   */
  async leastLoadedNode(tenantId: string): Promise<string> {
    const [nodes, services, info, volume] = await Promise.all([
      this.#docker.listNodes() as Promise<SwarmNode[]>,
      this.services(),
      this.#docker.info(),
      tolerate([404], () => this.#docker.getVolume(volumeName(tenantId, this.#scope)).inspect()),
    ]);
    const local = info.Swarm?.NodeID as string | undefined;
    if (volume && local && this.#owns(volume.Labels ?? undefined)) return local;
    const load: Record<string, number> = {};
    for (const s of services) {
      const node = s.Spec?.Labels?.[NODE_LABEL];
      if (node) load[node] = (load[node] ?? 0) + 1;
    }
    const node = pickNode(nodes, load, local);
    if (!node) throw new Error('no ready swarm node to place the tenant on (docker node ls)');
    return node;
  }

  /** Retries `attempt` (an engine call that fails while a task lets go) until it reports done, bounded. */
  async #settle(what: string, attempt: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + SETTLE_MS;
    let last = '';
    while (Date.now() < deadline) {
      try {
        if (await attempt()) return;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${what} still in use after ${SETTLE_MS} ms${last ? ` (${last})` : ''}`);
  }
}

/** The container task spec of a service (Silo's services are never plugin or attachment tasks). */
function taskSpec(spec: ServiceSpec | undefined): ContainerTaskSpec | undefined {
  return spec?.TaskTemplate as ContainerTaskSpec | undefined;
}
