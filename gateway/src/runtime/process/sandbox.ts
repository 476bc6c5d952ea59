import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** Where the instance sees its own folders inside the sandbox. */
export const SANDBOX_DATA = '/data';
export const SANDBOX_RUN = '/run/silo';
export const SANDBOX_SOCKET = `${SANDBOX_RUN}/instance.sock`;

/** What the sandbox of one instance needs to know. */
export type SandboxSpec = {
  /** Host paths bound read-only at the same path (the app: dist, node_modules, the entry's folder). */
  appPaths: readonly string[];
  /** The tenant's data folder (bound read-write at /data). */
  dataDir: string;
  /** The tenant's run folder (its unix socket; bound read-write at /run/silo). */
  runDir: string;
};

/** Whether this gateway can sandbox instances, and if not, every reason why. */
export type SandboxSupport = { ok: true; bwrap: string } | { ok: false; missing: string[] };

/** The system parts a task needs (a shell, utilities, DNS, TLS roots); nothing of the gateway. */
const ETC = [
  'resolv.conf',
  'hosts',
  'nsswitch.conf',
  'host.conf',
  'gai.conf',
  'ssl',
  'ca-certificates',
  'localtime',
  'alternatives',
  'passwd',
  'group',
];

/**
 * The bubblewrap argv that runs `command` as the (already switched) tenant uid
 * in new user, mount, PID, IPC, UTS and cgroup namespaces, with no
 * capabilities, no nested user namespaces and a new session (no TIOCSTI into
 * a terminal). It sees `/usr` (Node, a shell, utilities) and a few files of
 * `/etc` read-only, the app read-only at its host path, a private `/tmp`,
 * `/proc` of its own PID namespace, and its own data and run folders (bwrap
 * walks their paths as the tenant: `TenantUids.prepare` makes the folders
 * above them traverse-only for the sandbox group, 0710). Not there: other tenants, the registry, `secrets.key`, the
 * admin token, `/var/run/docker.sock`, any process outside.
 *
 * Network is shared, on purpose: `http` tasks need outbound access, including
 * to 127.0.0.1 (tests run their HTTP servers there). What a task could reach
 * on loopback holds nothing for it: instances listen on unix sockets in their
 * own folders, and the gateway's admin API needs a token that lives only in
 * the gateway's environment and its 0600 data folder, neither visible here.
 *
 * No `--die-with-parent`: instances outlive a gateway restart (the next one
 * adopts them); the instance is pid 2 under bwrap's reaper, so when it exits
 * the namespace and every task process in it go with it.
 */
export function sandboxArgs(spec: SandboxSpec, command: readonly string[]): string[] {
  const args = [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--disable-userns',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--hostname',
    'silo',
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const top of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const path = `/${top}`;
    const stat = lstatOrUndefined(path);
    if (stat?.isSymbolicLink()) args.push('--symlink', readlinkRelative(path), path);
    else if (stat?.isDirectory()) args.push('--ro-bind', path, path);
  }
  for (const name of ETC) args.push('--ro-bind-try', `/etc/${name}`, `/etc/${name}`);
  // The private /tmp first: an app installed under /tmp (a CI checkout) is then bound on top of it, not hidden by it.
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const path of nodeAndAppPaths(spec.appPaths)) args.push('--ro-bind', path, path);
  args.push(
    '--bind',
    spec.dataDir,
    SANDBOX_DATA,
    '--bind',
    spec.runDir,
    SANDBOX_RUN,
    '--chdir',
    SANDBOX_DATA,
    '--',
    ...command,
  );
  return args;
}

/** Node's own install prefix when it is not under /usr (nvm, /opt), then the app paths, de-duplicated. */
function nodeAndAppPaths(appPaths: readonly string[]): string[] {
  const node = realpathSync(process.execPath);
  const paths = node.startsWith('/usr/') ? [] : [dirname(dirname(node))];
  for (const p of appPaths) if (!paths.includes(p) && !p.startsWith('/usr/')) paths.push(p);
  return paths;
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function readlinkRelative(path: string): string {
  const target = realpathSync(path);
  return target.startsWith('/') ? target.slice(1) : target;
}

/** The bwrap program on PATH (or /usr/bin/bwrap), or undefined. */
export function findBwrap(pathEnv = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...pathEnv.split(delimiter), '/usr/bin']) {
    if (dir === '') continue;
    const candidate = join(dir, 'bwrap');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Linux capabilities the gateway needs to run instances as other uids and hand them their folders. */
const NEEDED_CAPS: Record<string, number> = { CAP_CHOWN: 0, CAP_SETGID: 6, CAP_SETUID: 7 };

function missingCapabilities(): string[] {
  try {
    const line = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    const eff = BigInt(`0x${line?.[1] ?? '0'}`);
    return Object.entries(NEEDED_CAPS)
      .filter(([, bit]) => (eff & (1n << BigInt(bit))) === 0n)
      .map(([name]) => name);
  } catch {
    return Object.keys(NEEDED_CAPS);
  }
}

/**
 * Checks, once, what sandboxing needs: Linux, root or CAP_SETUID + CAP_SETGID
 * + CAP_CHOWN, Debian's `bubblewrap`, and user namespaces that work (a real
 * trial: `node --version` in the same sandbox as `trialUid`, bounded to 10 s;
 * its outcome is kept for the process, so a second driver does not wait again).
 *
 * @example
 * const support = await sandboxSupport(2_000_000, 1_999_999, [appDir]);
 * if (!support.ok) logger.warn({ missing: support.missing }, 'tenants are NOT isolated');
 */
export async function sandboxSupport(
  trialUid: number,
  trialGid: number,
  appPaths: readonly string[],
): Promise<SandboxSupport> {
  if (process.platform !== 'linux') return { ok: false, missing: [`Linux (this is ${process.platform})`] };
  const missing: string[] = [];
  const caps = missingCapabilities();
  if (caps.length > 0) missing.push(`root or the capabilities ${caps.join(', ')}`);
  const bwrap = findBwrap();
  if (bwrap === undefined) missing.push('bubblewrap (bwrap on PATH; Debian: apt-get install bubblewrap)');
  if (missing.length > 0 || bwrap === undefined) return { ok: false, missing };
  const key = JSON.stringify([bwrap, trialUid, trialGid, appPaths]);
  let outcome = TRIALS.get(key);
  if (outcome === undefined) {
    outcome = trial(bwrap, trialUid, trialGid, appPaths);
    TRIALS.set(key, outcome);
  }
  const problem = await outcome;
  if (problem !== undefined) {
    return {
      ok: false,
      missing: [
        `a sandbox that starts (user namespaces, bind paths readable by uid ${trialUid}): ${problem}`,
      ],
    };
  }
  return { ok: true, bwrap };
}

/** Trial outcomes by (bwrap, uid, gid, app paths): the machine does not change while the gateway runs. */
const TRIALS = new Map<string, Promise<string | undefined>>();

function trial(
  bwrap: string,
  uid: number,
  gid: number,
  appPaths: readonly string[],
): Promise<string | undefined> {
  const args = sandboxArgs({ appPaths, dataDir: '/', runDir: '/' }, [process.execPath, '--version']);
  // No data folders in the trial: drop the two --bind and the --chdir.
  const at = args.indexOf(SANDBOX_DATA) - 2;
  args.splice(at, 8);
  return new Promise((resolve) => {
    const child = spawn(bwrap, args, { uid, gid, cwd: '/', stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? undefined : `bwrap exited ${code}: ${stderr.trim().split('\n')[0] ?? ''}`);
    });
  });
}

/** Two tenants would share one OS user and see each other's files: refused unless the operator opts in. */
export class UnisolatedRuntimeError extends Error {
  override readonly name = 'UnisolatedRuntimeError';
  readonly code = 'UNISOLATED_RUNTIME';
  constructor(tenantId: string, running: string, missing: string[]) {
    super(
      `refusing to start ${tenantId} while ${running} runs: the process runtime cannot isolate tenants here ` +
        `(missing: ${missing.join('; ')}); set SILO_ALLOW_UNISOLATED=1 to accept that their tasks can read each other's data`,
    );
  }
}
