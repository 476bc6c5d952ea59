import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type RunProcessOptions = {
  /** Program and arguments; no shell is added. */
  argv: readonly string[];
  cwd: string;
  /** The complete environment of the child (see `buildChildEnv`). */
  env: Record<string, string>;
  /** Aborting kills the whole process group: SIGTERM, then SIGKILL after `killGraceMs`. */
  signal: AbortSignal;
  /** Called for each line of stdout and stderr, in order within each stream. */
  onLine(line: string, stream: 'stdout' | 'stderr'): void;
  /** @default 2000 */
  killGraceMs?: number;
};

export type ProcessResult = { exitCode: number | null; signal: NodeJS.Signals | null; aborted: boolean };

/**
 * Runs a program in its own process group (so a kill also reaches the
 * grandchildren a shell starts) and resolves when it has exited and both
 * streams are drained. Never rejects for a non-zero exit; rejects only when
 * the program cannot start (e.g. ENOENT).
 *
 * @example
 * const r = await runProcess({ argv: ['/bin/sh', '-c', 'echo hi'], cwd, env, signal, onLine: console.log });
 * r.exitCode; // 0
 */
export function runProcess({
  argv,
  cwd,
  env,
  signal,
  onLine,
  killGraceMs = 2000,
}: RunProcessOptions): Promise<ProcessResult> {
  const [program, ...args] = argv;
  if (program === undefined) return Promise.reject(new Error('no program to run'));
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group is already gone.
      }
    };
    const onAbort = () => {
      aborted = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), killGraceMs);
      killTimer.unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });

    const streams = [
      createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }),
      createInterface({ input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY }),
    ] as const;
    streams[0].on('line', (line) => onLine(line, 'stdout'));
    streams[1].on('line', (line) => onLine(line, 'stderr'));
    const drained = Promise.all(streams.map((s) => new Promise<void>((r) => s.once('close', () => r()))));

    child.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.once('exit', (exitCode, exitSignal) => {
      // Kill what the program left behind in its group (background jobs), then wait for the streams.
      killGroup('SIGKILL');
      // A grandchild that left the group could keep a pipe open: stop waiting after a short grace.
      let drainTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((r) => {
        drainTimer = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          r();
        }, 1000);
      });
      void Promise.race([drained, grace]).then(() => {
        clearTimeout(drainTimer);
        signal.removeEventListener('abort', onAbort);
        if (killTimer) clearTimeout(killTimer);
        resolve({ exitCode, signal: exitSignal, aborted });
      });
    });
  });
}
