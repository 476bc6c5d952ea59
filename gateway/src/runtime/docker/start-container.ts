import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import type { Endpoint, StartRequest } from '../runtime-driver.js';
import { describeExit, endpointOf } from './container-status.js';
import { waitAlive } from './wait-alive.js';

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

export type StartContainerOptions = {
  /** Bound on the instance answering `/healthz` after its container started. */
  aliveTimeoutMs: number;
  /** The container's last lines, for the error when it does not come up. */
  tail: () => Promise<string>;
  /** Marks a container the driver removes itself (its `die` is expected). */
  expect: (containerId: string) => void;
};

/**
 * Creates and starts one tenant's container from `spec`, hands over the
 * secrets on stdin, and waits until the instance answers `/healthz`. When it
 * does not come up, the exited container is kept (its logs and exit code say
 * why) and a `DockerStartError` carries the reason and the last output.
 *
 * @example
 * const endpoint = await startContainer(docker, containerSpec(request, config), request, options);
 */
export async function startContainer(
  docker: Docker,
  spec: ContainerCreateOptions,
  request: StartRequest,
  options: StartContainerOptions,
): Promise<Endpoint> {
  const container = await docker.createContainer(spec);
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
    if (!endpoint) throw new Error(`container ${spec.name} has no published port`);
    await waitAlive(endpoint, {
      timeoutMs: options.aliveTimeoutMs,
      stillRunning: async () => (await container.inspect()).State.Running,
    });
    return endpoint;
  } catch (err) {
    // Keep the exited container: its logs and exit code say why (crash-loop reasons).
    const tail = await options.tail().catch(() => '');
    const state = await container.inspect().catch(() => undefined);
    if (state?.State.Running) {
      options.expect(container.id);
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
