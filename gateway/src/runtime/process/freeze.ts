import { readFile } from 'node:fs/promises';

/**
 * The process runtime's paused tier. The sandbox has no cgroup of its own to
 * freeze (bwrap only unshares the cgroup namespace), so an instance is frozen
 * with SIGSTOP to its process group: the instance leads one (spawned detached,
 * or `bwrap --new-session`), and the task processes it spawned are in it.
 * SIGSTOP cannot be caught or ignored; the process keeps its memory and its
 * listening socket (new connections wait in the kernel's backlog) and runs no
 * timer. After SIGCONT, libuv finds its overdue timers and fires them at once,
 * so a Sleep or schedule due while frozen runs late unless the gateway wakes
 * it first (its wake scheduler knows the instance's next due time).
 */

/** SIGSTOP to the instance's process group; resolves once the kernel shows it stopped (bounded: 1 s). */
export async function freeze(pid: number): Promise<void> {
  signalGroup(pid, 'SIGSTOP');
  const deadline = Date.now() + 1_000;
  while (Date.now() < deadline) {
    if (!'RSD'.includes(await processState(pid))) return;
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** SIGCONT to the instance's process group. No error when it is gone or not frozen. */
export function thaw(pid: number): void {
  try {
    signalGroup(pid, 'SIGCONT');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** To the group `pid` leads; to `pid` alone when it leads none (an adopted instance of an older gateway). */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    process.kill(pid, signal);
  }
}

/** The state letter of `/proc/<pid>/stat` (`R`, `S`, `T` stopped, `Z`…), `?` when it cannot be read. */
export async function processState(pid: number): Promise<string> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return '?';
  }
}
