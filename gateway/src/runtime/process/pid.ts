import { readFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';

/**
 * True when a process with this pid exists and is not a zombie. Signal 0
 * checks existence without touching it; `/proc/<pid>/stat` tells a zombie
 * (state `Z`) from a live process on Linux.
 *
 * @example
 * if (await isAlive(4242)) process.kill(4242, 'SIGTERM');
 */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform !== 'linux';
  }
}

/** The command line of `pid` (Linux), or undefined when it cannot be read. */
export async function commandLine(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/**
 * Sends SIGTERM, waits up to `graceMs` for the process to go, then SIGKILL.
 * Works for processes this gateway did not spawn (adopted ones).
 */
export async function terminate(pid: number, graceMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  const killDeadline = Date.now() + 2_000;
  while (Date.now() < killDeadline && (await isAlive(pid))) await new Promise((r) => setTimeout(r, 10));
}

/** `SIGKILL` for 9, and so on. */
export function signalName(n: number): string | undefined {
  return Object.entries(osConstants.signals).find(([, value]) => value === n)?.[0];
}
