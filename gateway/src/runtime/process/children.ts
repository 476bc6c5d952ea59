import type { ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { ExitWatch } from './exit-watch.js';
import { sandboxedChild } from './instance-scan.js';
import { signalName } from './pid.js';

/**
 * The instances this gateway spawned, by pid, and how each one ended: a
 * child's `exit` event records its exit code (for `inspect`) and tells the
 * `ExitWatch` at once, unless the driver was stopping it. A sandboxed
 * instance is bwrap's grandchild: `track` finds its pid, the one signals go
 * to.
 *
 * @example
 * const children = new Children(500);
 * const pid = await children.track('acme', child, true, () => driver.logs('acme', { tail: 3 }));
 */
export class Children {
  readonly exits: ExitWatch;
  readonly #pids = new Set<number>();
  readonly #exitCodes = new Map<string, number>();

  constructor(pidCheckMs: number) {
    this.exits = new ExitWatch(pidCheckMs);
  }

  /** Whether `pid` is an instance spawned here (its exit is heard from its `exit` event). */
  has(pid: number): boolean {
    return this.#pids.has(pid);
  }

  /** The exit code of the tenant's last child, once it exited. */
  exitCode(tenantId: string): number | undefined {
    return this.#exitCodes.get(tenantId);
  }

  /**
   * Watches a child just spawned for the tenant; resolves to the pid of its
   * instance (sandboxed: the process inside bwrap). Throws with `tail()`
   * when the sandbox exits before its instance shows.
   */
  async track(
    tenantId: string,
    child: ChildProcess,
    sandboxed: boolean,
    tail: () => Promise<string>,
  ): Promise<number> {
    const spawnedPid = child.pid as number;
    this.#exitCodes.delete(tenantId);
    this.exits.adopted.delete(tenantId);
    let pid = spawnedPid;
    this.#pids.add(pid);
    child.on('exit', (code, own) => {
      const exitCode = code ?? (own ? 128 + (osConstants.signals[own] ?? 0) : 1);
      // bwrap exits 128 + n when the sandboxed instance was killed by signal n.
      const signal = own ?? (sandboxed && exitCode > 128 ? signalName(exitCode - 128) : undefined);
      this.#exitCodes.set(tenantId, exitCode);
      this.#pids.delete(pid);
      const how = signal ? `was killed by ${signal} (exit code ${exitCode})` : `exited with code ${exitCode}`;
      this.exits.exited(tenantId, pid, exitCode, how);
      this.exits.stopping.delete(pid);
    });
    child.unref();
    if (!sandboxed) return pid;
    // The instance is bwrap's grandchild (under the namespace's reaper): signals go to it.
    const inner = await sandboxedChild(
      spawnedPid,
      () => child.exitCode === null && child.signalCode === null,
    );
    if (inner === undefined)
      throw new Error(`the sandbox of ${tenantId} did not start its instance: ${await tail()}`);
    this.#pids.delete(pid);
    pid = inner;
    this.#pids.add(pid);
    return pid;
  }
}
