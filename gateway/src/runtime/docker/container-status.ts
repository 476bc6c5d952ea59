import type Docker from 'dockerode';
import type { Endpoint, InstanceStatus } from '../runtime-driver.js';
import { CONTAINER_PORT } from './container-spec.js';

/**
 * Pure readings of `docker inspect`: where a container's instance answers,
 * its status in the runtime's terms, and why it exited, in words.
 */

/** "exit code 137 (killed: SIGKILL, docker kill or the OOM killer)" and the like. */
export function describeExit(exitCode: number | undefined, oom: boolean): string {
  if (oom)
    return `out of memory (OOM killed, exit code ${exitCode ?? 'unknown'}): raise the tenant's memory limit`;
  if (exitCode === undefined) return 'exit code unknown';
  if (exitCode === 137) return 'exit code 137 (SIGKILL: docker kill, or the OOM killer)';
  if (exitCode === 143) return 'exit code 143 (SIGTERM from outside the gateway)';
  return `exit code ${exitCode}`;
}

/** The instance's endpoint: the host port the engine published for `CONTAINER_PORT`. */
export function endpointOf(info: Docker.ContainerInspectInfo): Endpoint | undefined {
  const binding = info.NetworkSettings.Ports?.[`${CONTAINER_PORT}/tcp`]?.[0];
  if (!binding?.HostPort) return undefined;
  const host = binding.HostIp && binding.HostIp !== '0.0.0.0' ? binding.HostIp : '127.0.0.1';
  const port = Number(binding.HostPort);
  return { url: `http://${host}:${port}`, host, port };
}

/** The runtime status of a tenant's container (its instance token read back, for adoption). */
export function statusOf(tenantId: string, info: Docker.ContainerInspectInfo): InstanceStatus {
  const token = info.Config.Env?.find((e) => e.startsWith('SILO_INSTANCE_TOKEN='))?.slice(20);
  const base = { tenantId, ref: info.Id, ...(token ? { instanceToken: token } : {}) };
  if (info.State.Running) {
    const endpoint = endpointOf(info);
    return { ...base, state: 'running', ...(endpoint ? { endpoint } : {}), startedAt: info.State.StartedAt };
  }
  return { ...base, state: 'stopped', exitCode: info.State.ExitCode };
}
