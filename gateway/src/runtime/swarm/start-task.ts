import type Docker from 'dockerode';
import { tolerate } from '../docker/engine-errors.js';
import { waitAlive } from '../docker/wait-alive.js';
import type { Endpoint } from '../runtime-driver.js';
import { openRelay } from './relay.js';
import { TASK_PORT } from './service-spec.js';
import {
  containerIdOf,
  describeTask,
  isFinal,
  isRunning,
  latestTask,
  type SwarmTask,
} from './task-status.js';

/** Every task of one service (the manager's view, any node). */
export async function tasksOf(docker: Docker, serviceId: string): Promise<SwarmTask[]> {
  return (await docker.listTasks({ filters: { service: [serviceId] } })) as SwarmTask[];
}

/**
 * Waits for the task a service update made (one not in `before`) to run,
 * bounded by `timeoutMs`; throws with the task's own error when swarm gave up
 * on it (rejected: no such image, no node fits; failed: exited).
 */
export async function waitNewTask(
  docker: Docker,
  serviceId: string,
  before: ReadonlySet<string>,
  timeoutMs: number,
): Promise<SwarmTask> {
  const deadline = Date.now() + timeoutMs;
  let last: SwarmTask | undefined;
  while (Date.now() < deadline) {
    const fresh = (await tasksOf(docker, serviceId)).filter((t) => !before.has(t.ID));
    last = latestTask(fresh);
    if (isRunning(last) && containerIdOf(last)) return last as SwarmTask;
    if (isFinal(last)) throw new Error(`its task ${last?.ID.slice(0, 12)} ended: ${describeTask(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no running task within ${timeoutMs} ms (last: ${describeTask(last)})`);
}

/**
 * The task's address on the tenant's node-local network, read from the
 * container on this gateway's engine. A task on another node is out of this
 * gateway's reach (README, "Swarm": what multi-host needs).
 */
export async function taskAddress(
  docker: Docker,
  task: SwarmTask,
  network: string,
): Promise<{ host: string; port: number }> {
  const containerId = containerIdOf(task);
  const info = containerId
    ? await tolerate([404], () => docker.getContainer(containerId).inspect())
    : undefined;
  if (!info) {
    throw new Error(
      `task ${task.ID.slice(0, 12)} runs on node ${task.NodeID ?? '?'}, whose containers this gateway's engine does not see: run a gateway on that node (README, "Swarm")`,
    );
  }
  const host = info.NetworkSettings.Networks?.[network]?.IPAddress;
  if (!host) throw new Error(`container ${info.Id.slice(0, 12)} has no address on network ${network}`);
  return { host, port: TASK_PORT };
}

/**
 * The loopback endpoint of a running task: its relay (`relay.ts`), opened if
 * needed. `key` is the service name; `holder` the driver using it.
 */
export async function endpointOfTask(
  docker: Docker,
  key: string,
  task: SwarmTask,
  network: string,
  holder: object,
): Promise<Endpoint> {
  const target = await taskAddress(docker, task, network);
  const port = await openRelay(key, containerIdOf(task) ?? task.ID, target, holder);
  return { url: `http://127.0.0.1:${port}`, host: '127.0.0.1', port };
}

/** Waits until the instance behind a task's relay answers `/healthz`. */
export async function waitTaskAlive(
  docker: Docker,
  endpoint: Endpoint,
  task: SwarmTask,
  timeoutMs: number,
): Promise<void> {
  const containerId = containerIdOf(task) ?? '';
  await waitAlive(endpoint, {
    timeoutMs,
    stillRunning: async () =>
      (await tolerate([404], () => docker.getContainer(containerId).inspect()))?.State.Running === true,
  });
}
