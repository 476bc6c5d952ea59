import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe } from 'vitest';

const run = promisify(execFile);

/**
 * Why Docker tests cannot run here, or `undefined` when an engine answers.
 * Asked once per test process.
 */
let probe: Promise<string | undefined> | undefined;
export function dockerUnavailableReason(): Promise<string | undefined> {
  probe ??= run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 })
    .then(() => undefined)
    .catch((err: NodeJS.ErrnoException & { stderr?: string }) =>
      err.code === 'ENOENT'
        ? 'the docker CLI is not installed'
        : `no Docker engine answers (${(err.stderr ?? err.message).trim().split('\n')[0]})`,
    );
  return probe;
}

/**
 * `describe` for tests that need a real Docker engine. Without one, the suite
 * is skipped and the reason printed, unless `SILO_REQUIRE_DOCKER=1`: then it
 * fails, so CI can never pass by skipping them.
 *
 * @example
 * const reason = await dockerUnavailableReason();
 * describeDocker(reason, 'docker driver', () => { it(...) });
 */
export function describeDocker(reason: string | undefined, name: string, body: () => void): void {
  if (reason === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.SILO_REQUIRE_DOCKER === '1') {
    describe(name, () => {
      throw new Error(`SILO_REQUIRE_DOCKER=1 but ${reason}: start dockerd (see .ci/run) or unset it`);
    });
    return;
  }
  process.stdout.write(`[skip] ${name}: ${reason} (set SILO_REQUIRE_DOCKER=1 to make this fail)\n`);
  describe.skip(name, body);
}
