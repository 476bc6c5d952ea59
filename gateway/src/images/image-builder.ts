import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { orchestratorEntry } from '../runtime/process/orchestrator-entry.js';
import { appEntries, hashEntries, sourceEntries } from './app-context.js';
import { readProgress } from './docker-progress.js';
import { CONTENT_HASH_LABEL, ensureOfflineBase, imageLabel } from './offline-base.js';
import { type TarEntry, tarStream } from './tar-writer.js';

/**
 * Builds `silo-orchestrator:<version>` (DESIGN.md, "Runtime drivers"), by one
 * of two paths with the same `/app` layout:
 *
 * - `pull`: `images/orchestrator/Dockerfile`, multi-stage on
 *   `node:20-bookworm-slim`, compiling and installing inside the build.
 * - `offline`: `images/orchestrator/Dockerfile.offline` on the offline base
 *   (this host's Node), with the application as built on this host.
 *
 * `auto` reuses an image whose content-hash label matches either path, else
 * takes `pull` when the base is present or can be pulled within a few seconds,
 * else `offline`.
 */

export const ORCHESTRATOR_REPO = 'silo-orchestrator';
/** The image every `pull` build starts from. */
export const PULL_BASE = 'node:20-bookworm-slim';
export const GATEWAY_REPO = 'silo-gateway';

/**
 * What can be built: the orchestrator (one container per tenant), or the
 * gateway itself for running it in a container next to the engine
 * (`images/compose.yaml`); the gateway image carries the orchestrator's
 * build too, so that it can build the tenant image on first use.
 */
export type ImageTarget = 'orchestrator' | 'gateway';
const TARGETS = {
  orchestrator: { repo: ORCHESTRATOR_REPO, dir: 'images/orchestrator', workspace: 'packages/orchestrator' },
  gateway: { repo: GATEWAY_REPO, dir: 'images/gateway', workspace: 'gateway' },
} as const;
const SOURCES = {
  orchestrator: ['packages/contracts', 'packages/orchestrator'],
  gateway: ['packages/contracts', 'packages/orchestrator', 'gateway'],
} as const;

export type ImageBuildPath = 'pull' | 'offline';

export type ImageBuildOptions = {
  /** @default 'orchestrator' */
  target?: ImageTarget;
  /** The repo (or installed app) root holding `images/` and the built workspaces. @default found from this file */
  root?: string;
  /** The tag's version. @default the orchestrator's package.json version */
  version?: string;
  /** `auto` picks by itself (see above). @default 'auto' */
  path?: ImageBuildPath | 'auto';
  /** Bound on the attempt to pull `node:20-bookworm-slim` in `auto`. @default 8000 */
  pullTimeoutMs?: number;
  /** Rebuild even when an image with the same content hash exists. @default false */
  force?: boolean;
  /** Progress lines for people. @default no output */
  onProgress?: (line: string) => void;
};

export type OrchestratorImage = {
  /** `silo-orchestrator:<version>` (or `silo-gateway:<version>`) */
  tag: string;
  id: string;
  version: string;
  hash: string;
  path: ImageBuildPath;
  /** `false` when reused. */
  built: boolean;
  /** Wall time of this call. */
  seconds: number;
};

/** Thrown when no path can build the image; `cause` says why the last one failed. */
export class ImageBuildError extends Error {
  override readonly name = 'ImageBuildError';
  readonly code = 'IMAGE_BUILD_FAILED';
}

/** The folder with `images/` and `packages/`: the nearest parent whose package.json declares workspaces. */
export function findRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && existsSync(join(dir, 'images'))) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
      if (parsed.workspaces) return dir;
    }
    if (dir === dirname(dir))
      throw new Error(`no Silo root (package.json with workspaces and images/) above ${from}`);
  }
}

/** The version an image is tagged with: its workspace's package version. */
export function packageVersion(root: string, workspace: string): string {
  const manifest = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** The version `silo-orchestrator` is tagged with. */
export const orchestratorVersion = (root: string) => packageVersion(root, 'packages/orchestrator');

type Plan = { path: ImageBuildPath; entries: TarEntry[]; hash: string; buildargs: Record<string, string> };

/** The files of `images/orchestrator/` under `app/`, for the gateway image (it builds the tenant image). */
function imageFiles(root: string, prefix: string): TarEntry[] {
  return [
    'package.json',
    ...['Dockerfile', 'Dockerfile.offline', 'Dockerfile.dockerignore'].map((f) => `images/orchestrator/${f}`),
  ].map(
    (rel): TarEntry => ({
      type: 'file',
      path: `${prefix}${rel}`,
      source: join(root, rel),
      size: statSync(join(root, rel)).size,
    }),
  );
}

/**
 * `app/entry.mjs`, the offline image's CMD: it imports the instance's entry
 * that the process driver would start from the same build — the one-file
 * bundle when it is up to date (boots about twice as fast), else `dist/main.js`.
 */
function entryModule(root: string): TarEntry {
  const entry = relative(root, orchestratorEntry(root)).split(sep).join('/');
  return { type: 'data', path: 'app/entry.mjs', data: Buffer.from(`import './${entry}';\n`) };
}

function targetApp(root: string, target: ImageTarget): TarEntry[] {
  if (target === 'orchestrator') return [...appEntries(root, 'packages/orchestrator'), entryModule(root)];
  const byPath = new Map<string, TarEntry>();
  for (const e of [
    ...appEntries(root, 'gateway'),
    ...appEntries(root, 'packages/orchestrator'),
    ...imageFiles(root, 'app/'),
    { type: 'dir', path: 'app/images' } as TarEntry,
    { type: 'dir', path: 'app/images/orchestrator' } as TarEntry,
  ]) {
    byPath.set(e.path, e);
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function offlinePlan(
  docker: Docker,
  root: string,
  target: ImageTarget,
  say: (line: string) => void,
): Promise<Plan> {
  const dockerfile = readFileSync(join(root, TARGETS[target].dir, 'Dockerfile.offline'));
  const app = targetApp(root, target);
  const addons = app.flatMap((e) => (e.type === 'file' && e.path.endsWith('.node') ? [e.source] : []));
  // The base is made (or found) first: its hash is part of the image's.
  const base = await ensureOfflineBase(docker, { extraBinaries: addons, onProgress: say });
  const entries: TarEntry[] = [{ type: 'data', path: 'Dockerfile', data: dockerfile }, ...app];
  return {
    path: 'offline',
    entries,
    hash: await hashEntries(entries, ['offline', base.hash]),
    buildargs: { BASE_IMAGE: base.tag },
  };
}

async function pullPlan(root: string, target: ImageTarget): Promise<Plan> {
  const dockerfile = readFileSync(join(root, TARGETS[target].dir, 'Dockerfile'));
  const entries: TarEntry[] = [
    { type: 'data', path: 'Dockerfile', data: dockerfile },
    ...sourceEntries(root, [...SOURCES[target]]),
    ...(target === 'gateway' ? imageFiles(root, '').filter((e) => e.path !== 'package.json') : []),
  ];
  return { path: 'pull', entries, hash: await hashEntries(entries, ['pull', PULL_BASE]), buildargs: {} };
}

/** Whether `node:20-bookworm-slim` is here or can be pulled within the bound. */
async function canPull(docker: Docker, timeoutMs: number, say: (line: string) => void): Promise<boolean> {
  if ((await imageLabel(docker, PULL_BASE, CONTENT_HASH_LABEL)) !== undefined) return true;
  say(`trying to pull ${PULL_BASE} (bound ${timeoutMs} ms)`);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const stream = await docker.pull(PULL_BASE, { abortSignal: controller.signal });
    await readProgress(stream);
    return true;
  } catch (err) {
    say(`cannot pull ${PULL_BASE} (${(err as Error).message.split('\n')[0]}): building offline`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Makes sure `silo-orchestrator:<version>` exists and matches the current
 * build; builds it when it does not.
 *
 * @example
 * const image = await ensureOrchestratorImage(new Docker(), { onProgress: (l) => log.info(l) });
 * // { tag: 'silo-orchestrator:0.1.0', path: 'offline', built: true, ... }
 */
export async function ensureOrchestratorImage(
  docker: Docker,
  options: ImageBuildOptions = {},
): Promise<OrchestratorImage> {
  const started = Date.now();
  const say = options.onProgress ?? (() => {});
  const root = options.root ?? findRoot();
  const target = options.target ?? 'orchestrator';
  const version = options.version ?? packageVersion(root, TARGETS[target].workspace);
  const tag = `${TARGETS[target].repo}:${version}`;
  const wanted = options.path ?? 'auto';
  const result = (plan: Plan, id: string, built: boolean): OrchestratorImage => ({
    tag,
    id,
    version,
    hash: plan.hash,
    path: plan.path,
    built,
    seconds: (Date.now() - started) / 1000,
  });

  const plans: Plan[] = [];
  if (wanted !== 'pull') plans.push(await offlinePlan(docker, root, target, say));
  if (wanted === 'pull') plans.push(await pullPlan(root, target));
  if (wanted === 'auto') {
    // Inside the gateway's own image there are no sources to compile: offline only.
    const pull = await pullPlan(root, target).catch(() => undefined);
    if (pull) plans.push(pull);
  }
  const current = await imageLabel(docker, tag, CONTENT_HASH_LABEL);
  const previousId = current === undefined ? undefined : (await docker.getImage(tag).inspect()).Id;
  const reusable = plans.find((p) => p.hash === current);
  if (reusable && !options.force) {
    const info = await docker.getImage(tag).inspect();
    say(`${tag} is up to date (${reusable.path} build ${reusable.hash.slice(0, 12)})`);
    return result(reusable, info.Id, false);
  }

  let plan: Plan;
  if (wanted === 'auto') {
    const pull = plans.length > 1 && (await canPull(docker, options.pullTimeoutMs ?? 8_000, say));
    plan = plans.find((p) => p.path === (pull ? 'pull' : 'offline'))!;
  } else {
    plan = plans[0]!;
  }
  try {
    say(`building ${tag} (${plan.path}: ${plan.entries.length} files in the context)`);
    const stream = await docker.buildImage(tarStream(plan.entries), {
      t: tag,
      dockerfile: 'Dockerfile',
      buildargs: plan.buildargs,
      labels: { [CONTENT_HASH_LABEL]: plan.hash, 'silo.version': version, 'silo.build-path': plan.path },
      rm: true,
      forcerm: true,
    });
    await readProgress(stream, (event) => {
      const line = event.stream?.trim();
      if (line && /^Step \d+\/\d+/.test(line)) say(line);
    });
  } catch (err) {
    throw new ImageBuildError(`building ${tag} (${plan.path}) failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const info = await docker.getImage(tag).inspect();
  if (previousId !== undefined && previousId !== info.Id) {
    // The stale image lost its tag: remove it unless a container still uses it (409).
    await docker
      .getImage(previousId)
      .remove()
      .catch(() => undefined);
  }
  const out = result(plan, info.Id, true);
  say(`${tag} built in ${out.seconds.toFixed(1)} s (${(info.Size / 1e6).toFixed(0)} MB)`);
  return out;
}
