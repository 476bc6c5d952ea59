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
