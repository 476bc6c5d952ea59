/** Errors of the engine's HTTP API, as dockerode reports them (`statusCode`). */
type DockerError = Error & { statusCode?: number };

/** The engine's HTTP status of a failed call, if it has one. */
export const statusCode = (err: unknown): number | undefined => (err as DockerError).statusCode;

/**
 * Runs `fn`, treating the listed HTTP statuses of the engine as "nothing to
 * do" (`undefined`): 404 for "already gone", 304 for "already stopped", 409
 * for "already being removed or created".
 *
 * @example
 * await tolerate([304, 404], () => container.stop({ t: 10 }));
 */
export async function tolerate<T>(codes: number[], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (codes.includes(statusCode(err) ?? 0)) return undefined;
    throw err;
  }
}

/**
 * The engine's refusal to create one more bridge network because its address
 * pools are used up, said with what the operator can do about it. Each Docker
 * tenant has a network of its own (kept while the tenant exists), and
 * dockerd's default pools hold about 30 bridge networks; any other error is
 * returned as it is.
 */
export function explainNetworkError(err: unknown, network: string): unknown {
  if (
    !/non-overlapping IPv4 address pool|address pools have been fully subnetted/i.test(
      String((err as Error)?.message),
    )
  )
    return err;
  return new Error(
    `Docker has no free address range for the tenant network ${network}: every Docker tenant keeps a bridge network of its own, and dockerd's default address pools hold about 30. Give dockerd more, smaller pools (e.g. "default-address-pools": [{"base": "10.200.0.0/16", "size": 28}] in /etc/docker/daemon.json, then restart dockerd), or delete tenants you no longer need (silo tenant delete <id> --purge)`,
    { cause: err },
  );
}
