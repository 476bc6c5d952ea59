import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { waitFor } from '../helpers/test-gateway.js';

/**
 * A Docker engine of the test's own (issue 19 §3): its own socket, data root,
 * exec root and address pool, no default bridge and no iptables rules, so that
 * stopping and starting it never touches the machine's shared engine or the
 * containers of other test runs. Needs root and `dockerd` on the PATH.
 */
export type OwnDockerd = {
  docker: Docker;
  socketPath: string;
  /** Stops the engine (SIGTERM, then SIGKILL after 30 s); its containers stop with it. */
  stop: () => Promise<void>;
  /** Starts it again on the same data root; resolves once it answers. */
  start: () => Promise<void>;
  /** Stops it and removes its folders. */
  dispose: () => Promise<void>;
};

/** Why an own engine cannot run here, or `undefined`. */
export function ownDockerdUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'an own dockerd needs root';
  return undefined;
}

export async function startOwnDockerd(): Promise<OwnDockerd> {
  // Short root: a unix socket path must fit 107 bytes.
  const root = mkdtempSync('/tmp/silo-dd-');
  const socketPath = join(root, 'docker.sock');
  const docker = new Docker({ socketPath });
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'dockerd',
      [
        `--host=unix://${socketPath}`,
        `--data-root=${join(root, 'data')}`,
        `--exec-root=${join(root, 'exec')}`,
        `--pidfile=${join(root, 'docker.pid')}`,
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
        // Its own pool, away from the shared engine's 172.17+/16 and 192.168/16 networks.
        '--default-address-pool=base=10.213.0.0/16,size=24',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(
      'the own dockerd',
      () =>
        docker.ping().then(
          () => true,
          () => false,
        ),
      60_000,
    );
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGTERM');
    const killer = setTimeout(() => c.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  };
  await start();
  return {
    docker,
    socketPath,
    stop,
    start,
    dispose: async () => {
      await stop();
      try {
        rmSync(root, { recursive: true, force: true });
      } catch {
        // a mount left behind by a killed engine: the folder stays under /tmp, reported by nothing else
      }
    },
  };
}

/** Copies an image from one engine to another (`docker save | docker load`, streamed). */
export async function copyImage(from: Docker, to: Docker, tag: string): Promise<void> {
  const tar = await from.getImage(tag).get();
  const stream = await to.loadImage(tar);
  await new Promise<void>((resolve, reject) =>
    to.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}
