import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { type BusyboxPlan, busyboxEntries, findBusybox, planBusybox } from './busybox.js';
import { readProgress } from './docker-progress.js';
import { type TarEntry, tarStream } from './tar-writer.js';

const run = promisify(execFile);

/**
 * The offline base image (DESIGN.md, "Runtime drivers"): where no base image
 * can be pulled, a minimal root filesystem is made from the host's own Node.js
 * binary and the shared libraries it (and any native addon) links against, and
 * handed to `docker import`. No package manager: what `node` needs to run, a
 * POSIX shell and the common utilities (busybox, `busybox.ts`) for shell
 * tasks, a non-root user, CA certificates and a writable `/tmp`.
 *
 * The image is tagged `silo-node-base:<node version>` and labelled with a hash
 * of its content, so that it is built once and reused while the host's Node
 * and libraries stay the same.
 */

/** The non-root user of every Silo image (offline and pulled alike). */
export const SILO_USER = { name: 'silo', uid: 10001, gid: 10001 } as const;
/** Label holding the content hash of an image built by Silo; equal hash = reuse. */
export const CONTENT_HASH_LABEL = 'silo.content-hash';
/** Bump when the layout of the base changes, so that old bases are rebuilt. */
const FORMAT = 'silo-node-base/2';
/** The PATH of every process in the image: node first, then busybox's applets. */
const IMAGE_PATH = '/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin';

export type OfflineBaseOptions = {
  /** The Node.js binary to ship. @default process.execPath */
  nodePath?: string;
  /** Further ELF files (native addons) whose shared libraries must be present too. @default [] */
  extraBinaries?: string[];
  /**
   * The busybox that gives the image `/bin/sh` and its utilities; `false`:
   * none (shell tasks then fail with "Cannot start interpreter '/bin/sh'").
   * @default the first of `BUSYBOX_CANDIDATES` that exists (Debian: `apt-get install busybox-static`)
   */
  shell?: string | false;
  /** Image repository. @default 'silo-node-base' */
  repo?: string;
  /** Progress lines for people (build start, reuse, import status). @default no output */
  onProgress?: (line: string) => void;
};

/** A base image that exists in the engine now. */
export type BaseImage = {
  /** `repo:tag`, e.g. `silo-node-base:20.20.2`. */
  tag: string;
  /** Image id (`sha256:…`). */
  id: string;
  hash: string;
  /** `false` when an image with the same content hash was already there. */
  built: boolean;
};

/** What would go into the base image, and its content hash. Pure apart from reading the host. */
export type OfflineBasePlan = {
  nodeVersion: string;
  /** The busybox shipped, or `undefined` when there is none (no shell in the image). */
  shell: BusyboxPlan | undefined;
  entries: TarEntry[];
  hash: string;
};

/** Parses `ldd` output into the absolute paths of the libraries (and the loader) it lists. */
export function parseLdd(output: string): string[] {
  const paths: string[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    const arrow = /=>\s*(\/\S+)/.exec(line);
    const bare = /^(\/\S+)\s+\(/.exec(line);
    const path = arrow?.[1] ?? bare?.[1];
    if (path && !paths.includes(path)) paths.push(path);
  }
  return paths;
}

async function sharedLibraries(binary: string): Promise<string[]> {
  try {
    const { stdout } = await run('ldd', [binary], { timeout: 10_000 });
    return parseLdd(stdout);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new LddMissingError();
    // A static binary: "not a dynamic executable".
    if (`${e.stdout ?? ''}${e.stderr ?? ''}`.includes('not a dynamic executable')) return [];
    throw new Error(`ldd ${binary} failed: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}

/** No `ldd` here (e.g. inside the offline gateway image: busybox has none): the base cannot be planned. */
export class LddMissingError extends Error {
  override readonly name = 'LddMissingError';
  readonly code = 'LDD_MISSING';
  constructor() {
    super('ldd is not installed: cannot find the libraries node needs');
  }
}

const text = (path: string, content: string, mode = 0o644): TarEntry => ({
  type: 'data',
  path,
  mode,
  data: Buffer.from(content),
});

/**
 * Lists the files of the base image from the host: node, the libraries `ldd`
 * names for it and for `extraBinaries`, users, CA certificates.
 */
export async function planOfflineBase(options: OfflineBaseOptions = {}): Promise<OfflineBasePlan> {
  const nodePath = realpathSync(options.nodePath ?? process.execPath);
  const { stdout } = await run(nodePath, ['-p', 'process.version'], { timeout: 10_000 });
  const nodeVersion = stdout.trim().replace(/^v/, '');
  const busybox = options.shell === false ? undefined : (options.shell ?? findBusybox());
  const shell = busybox === undefined ? undefined : await planBusybox(busybox);
  const libraries: string[] = [];
  // A static busybox (Debian's busybox-static) links nothing; a dynamic one brings its libraries.
  for (const binary of [nodePath, ...(options.extraBinaries ?? []), ...(shell ? [shell.source] : [])]) {
    for (const lib of await sharedLibraries(binary)) if (!libraries.includes(lib)) libraries.push(lib);
  }

  const files: TarEntry[] = [];
  const addFile = (inImage: string, source: string, mode?: number) => {
    const real = realpathSync(source);
    const st = statSync(real);
    files.push({ type: 'file', path: inImage, source: real, size: st.size, mode: mode ?? st.mode & 0o777 });
  };
  addFile('usr/local/bin/node', nodePath, 0o755);
  for (const lib of libraries) addFile(lib.replace(/^\/+/, ''), lib);
  if (shell) files.push(...busyboxEntries(shell));
  const caBundle = '/etc/ssl/certs/ca-certificates.crt';
  if (existsSync(caBundle)) addFile(caBundle.slice(1), caBundle, 0o644);
  const { name, uid, gid } = SILO_USER;
  files.push(
    text(
      'etc/passwd',
      `root:x:0:0:root:/root:/sbin/nologin\n${name}:x:${uid}:${gid}:silo:/home/${name}:/sbin/nologin\n`,
    ),
    text('etc/group', `root:x:0:\n${name}:x:${gid}:\n`),
    text('etc/nsswitch.conf', 'passwd: files\ngroup: files\nhosts: files dns\n'),
  );

  // Every parent folder, parents first; then the folders with their own owner or mode.
  const special: TarEntry[] = [
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'dir', path: `home/${name}`, mode: 0o750, uid, gid },
    // Owned by the user so that a new named volume mounted here copies a writable folder.
    { type: 'dir', path: 'data', mode: 0o750, uid, gid },
  ];
  const dirs = new Set<string>();
  for (const entry of [...files, ...special]) {
    for (let dir = posix.dirname(entry.path); dir !== '.' && dir !== '/'; dir = posix.dirname(dir))
      dirs.add(dir);
  }
  for (const entry of special) dirs.delete(entry.path);
  const entries: TarEntry[] = [
    ...[...dirs].sort().map((path): TarEntry => ({ type: 'dir', path })),
    ...special,
    ...files,
  ];

  const hash = createHash('sha256').update(FORMAT).update(nodeVersion);
  for (const entry of entries) {
    hash.update(`\0${entry.type}:${entry.path}:${'mode' in entry ? entry.mode : ''}:${entry.uid ?? 0}`);
    if (entry.type === 'data') hash.update(entry.data);
    if (entry.type === 'symlink') hash.update(entry.target);
    if (entry.type === 'file') {
      const st = statSync(entry.source);
      hash.update(`${entry.source}:${st.size}:${st.mtimeMs}`);
    }
  }
  return { nodeVersion, shell, entries, hash: hash.digest('hex').slice(0, 32) };
}

/** The label value of an image, or `undefined` when the image is absent. */
export async function imageLabel(docker: Docker, tag: string, label: string): Promise<string | undefined> {
  try {
    const info = await docker.getImage(tag).inspect();
    return info.Config?.Labels?.[label] ?? '';
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/**
 * Makes sure the offline base image exists: reuses it when its content hash
 * matches, else imports a fresh one.
 *
 * @example
 * const base = await ensureOfflineBase(new Docker(), { onProgress: console.log });
 * // base.tag === 'silo-node-base:20.20.2'
 */
export async function ensureOfflineBase(
  docker: Docker,
  options: OfflineBaseOptions = {},
): Promise<BaseImage> {
  const say = options.onProgress ?? (() => {});
  const repo = options.repo ?? 'silo-node-base';
  let plan: OfflineBasePlan;
  try {
    plan = await planOfflineBase(options);
  } catch (err) {
    // Without ldd (the gateway's own offline image), a base built earlier on the host is used as it is.
    if (!(err instanceof LddMissingError) || options.nodePath !== undefined) throw err;
    const tag = `${repo}:${process.versions.node}`;
    const hash = await imageLabel(docker, tag, CONTENT_HASH_LABEL);
    if (hash === undefined) {
      throw new Error(`${err.message}, and no ${tag} exists: run \`silo image build\` on the host once`);
    }
    say(`no ldd here: using the existing base image ${tag}`);
    const info = await docker.getImage(tag).inspect();
    return { tag, id: info.Id, hash, built: false };
  }
  const tag = `${repo}:${plan.nodeVersion}`;
  const existing = await imageLabel(docker, tag, CONTENT_HASH_LABEL);
  if (existing === plan.hash) {
    const info = await docker.getImage(tag).inspect();
    say(`base image ${tag} is up to date (${plan.hash.slice(0, 12)})`);
    return { tag, id: info.Id, hash: plan.hash, built: false };
  }
  const files = plan.entries.filter((e) => e.type === 'file').length;
  say(`importing base image ${tag} from this host's node v${plan.nodeVersion} and ${files - 1} files`);
  const shellLabel = plan.shell ? `busybox-${plan.shell.version}` : 'none';
  if (plan.shell) {
    say(`shell: busybox ${plan.shell.version} (${plan.shell.applets.length} applets, /bin/sh among them)`);
  } else {
    say(
      'WARNING: no busybox on this host: the image gets no /bin/sh, so shell tasks (io.kestra.plugin.scripts.shell.*) will fail in it; install it (Debian: apt-get install busybox-static) and build again',
    );
  }
  const stream = await docker.importImage(tarStream(plan.entries), {
    repo,
    tag: plan.nodeVersion,
    changes: [
      `ENV PATH=${IMAGE_PATH}`,
      `USER ${SILO_USER.uid}:${SILO_USER.gid}`,
      `WORKDIR /home/${SILO_USER.name}`,
      `LABEL ${CONTENT_HASH_LABEL}=${plan.hash} silo.node-version=${plan.nodeVersion} silo.shell=${shellLabel}`,
      'CMD ["node"]',
    ],
  });
  await readProgress(stream, (event) => {
    if (event.status) say(`import: ${event.status}`);
  });
  const info = await docker.getImage(tag).inspect();
  say(`base image ${tag} ready (${(info.Size / 1e6).toFixed(0)} MB)`);
  return { tag, id: info.Id, hash: plan.hash, built: true };
}
