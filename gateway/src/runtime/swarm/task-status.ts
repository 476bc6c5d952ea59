/**
 * Pure readings of swarm objects (`GET /services`, `GET /tasks`, `GET
 * /nodes`): which task of a service is the current one, whether it runs,
 * the token it was started with, and which node a new tenant goes to.
 */

/** The fields of a task this runtime reads (dockerode types tasks as `any`). */
export type SwarmTask = {
  ID: string;
  NodeID?: string;
  DesiredState?: string;
  CreatedAt?: string;
  Version?: { Index?: number };
  Spec?: { ContainerSpec?: { Env?: string[] } };
  Status?: {
    State?: string;
    Timestamp?: string;
    Err?: string;
    Message?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
};

export type SwarmNode = {
  ID: string;
  Spec?: { Availability?: string };
  Status?: { State?: string };
};

/** Task states after which a task never runs again. */
const FINAL = new Set(['complete', 'shutdown', 'failed', 'rejected', 'orphaned', 'remove']);

/**
 * The newest task of a service (created last), or undefined. Not by
 * version: an old task shutting down gets a newer version than its successor.
 */
export function latestTask(tasks: readonly SwarmTask[]): SwarmTask | undefined {
  const created = (t: SwarmTask) => Date.parse(t.CreatedAt ?? '') || 0;
  let best: SwarmTask | undefined;
  for (const t of tasks) {
    if (!best) best = t;
    else if (created(t) > created(best)) best = t;
    else if (created(t) === created(best) && (t.Version?.Index ?? 0) > (best.Version?.Index ?? 0)) best = t;
  }
  return best;
}

/** Running now, and meant to: its container is up. */
export function isRunning(task: SwarmTask | undefined): boolean {
  return task?.Status?.State === 'running' && task.DesiredState === 'running';
}

/** Will never run again (exited, failed, rejected, shut down). */
export function isFinal(task: SwarmTask | undefined): boolean {
  return FINAL.has(task?.Status?.State ?? '');
}

export function containerIdOf(task: SwarmTask | undefined): string | undefined {
  return task?.Status?.ContainerStatus?.ContainerID || undefined;
}

/** The instance token the task was started with (for adoption). */
export function tokenOf(task: SwarmTask | undefined): string | undefined {
  const entry = task?.Spec?.ContainerSpec?.Env?.find((e) => e.startsWith('SILO_INSTANCE_TOKEN='));
  return entry?.slice('SILO_INSTANCE_TOKEN='.length);
}

/** "failed: task: non-zero exit (2)" and the like, for errors. */
export function describeTask(task: SwarmTask | undefined): string {
  if (!task) return 'no task';
  const s = task.Status ?? {};
  return [s.State ?? 'unknown', s.Err ?? s.Message].filter(Boolean).join(': ');
}

/**
 * Where a new tenant goes: the ready, active node holding the fewest Silo
 * services; on a tie, `preferred` (the gateway's own node), then the lowest id.
 *
 * @example
 * pickNode(nodes, { n1: 3, n2: 1 }, 'n1'); // 'n2'
 */
export function pickNode(
  nodes: readonly SwarmNode[],
  tenantsPerNode: Readonly<Record<string, number>>,
  preferred?: string,
): string | undefined {
  const usable = nodes
    .filter((n) => n.Status?.State === 'ready' && (n.Spec?.Availability ?? 'active') === 'active')
    .map((n) => n.ID)
    .sort((a, b) => {
      const load = (tenantsPerNode[a] ?? 0) - (tenantsPerNode[b] ?? 0);
      if (load !== 0) return load;
      if (a === preferred) return -1;
      if (b === preferred) return 1;
      return a < b ? -1 : 1;
    });
  return usable[0];
}
