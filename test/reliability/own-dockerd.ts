import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { waitFor } from '../helpers/test-gateway.js';

/**
 * A Docker engine of the test's own (issue 19 §3): its own socket, data root,
 * exec root, address pool and default bridge, and no iptables rules, so that
 * stopping and starting it never touches the machine's shared engine or the
 * containers of other test runs. Needs root, `dockerd` and `ip` (iproute2).
 *
 * Its default bridge is one it is given (`--bridge`, made here with `ip`),
 * never `--bridge=none` (with `none`, dockerd deletes the host's `docker0` at
 * start). Even so, a second start on the same data root was seen to delete
 * `docker0` (dockerd 20.10): the shared engine's default bridge, which its
 * builds and default network need. So the host's `docker0` is recorded before
 * and put back after each start and at the end (`restoreDocker0`), and the
 * scenario runs in long mode only (`npm run soak`), never beside other tests.
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
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'an own dockerd needs `ip` (Debian: iproute2) to make its bridge';
  }
  return undefined;
}

type Docker0 = { addresses: string[] } | undefined;

/** The host's docker0 bridge and its IPv4 addresses (`undefined`: none). */
function recordDocker0(): Docker0 {
  try {
    const out = JSON.parse(
      execFileSync('ip', ['-j', 'addr', 'show', 'dev', 'docker0'], { encoding: 'utf8' }),
    ) as Array<{
      addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
    }>;
    const addresses = (out[0]?.addr_info ?? [])
      .filter((a) => a.family === 'inet')
      .map((a) => `${a.local}/${a.prefixlen}`);
    return { addresses };
  } catch {
    return undefined;
  }
}

/** Puts the host's docker0 back as it was recorded, when it is gone. */
function restoreDocker0(recorded: Docker0): void {
  if (recorded === undefined || recordDocker0() !== undefined) return;
  execFileSync('ip', ['link', 'add', 'docker0', 'type', 'bridge']);
  for (const address of recorded.addresses) execFileSync('ip', ['addr', 'add', address, 'dev', 'docker0']);
  execFileSync('ip', ['link', 'set', 'docker0', 'up']);
}

/** A bridge of the own engine's: `silodd<hex>` on 10.214.<n>.1/24 (away from the shared engine's pools). */
function makeBridge(): string {
  const name = `silodd${randomBytes(3).toString('hex')}`;
  const subnet = 1 + ((randomBytes(1)[0] ?? 0) % 250);
  execFileSync('ip', ['link', 'add', name, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', `10.214.${subnet}.1/24`, 'dev', name]);
  execFileSync('ip', ['link', 'set', name, 'up']);
  return name;
}

export async function startOwnDockerd(): Promise<OwnDockerd> {
  // Short root: a unix socket path must fit 107 bytes.
  const root = mkdtempSync('/tmp/silo-dd-');
  const socketPath = join(root, 'docker.sock');
  const docker = new Docker({ socketPath });
  const bridge = makeBridge();
  const docker0 = recordDocker0();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'dockerd',
      [
        `--host=unix://${socketPath}`,
        `--data-root=${join(root, 'data')}`,
        `--exec-root=${join(root, 'exec')}`,
        `--pidfile=${join(root, 'docker.pid')}`,
        `--bridge=${bridge}`,
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
    restoreDocker0(docker0);
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
        execFileSync('ip', ['link', 'del', bridge]);
      } catch {
        // already gone
      }
      restoreDocker0(docker0);
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
