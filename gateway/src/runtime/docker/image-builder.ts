import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
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
const WORKSPACES = ['packages/contracts', 'packages/orchestrator'];

export type ImageBuildPath = 'pull' | 'offline';

export type ImageBuildOptions = {
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
  /** `silo-orchestrator:<version>` */
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

/** The version the image is tagged with: the orchestrator's package version. */
export function orchestratorVersion(root: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'packages/orchestrator/package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

type Plan = { path: ImageBuildPath; entries: TarEntry[]; hash: string; buildargs: Record<string, string> };

async function offlinePlan(docker: Docker, root: string, say: (line: string) => void): Promise<Plan> {
  const dockerfile = readFileSync(join(root, 'images/orchestrator/Dockerfile.offline'));
  const app = appEntries(root, 'packages/orchestrator');
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

async function pullPlan(root: string): Promise<Plan> {
  const dockerfile = readFileSync(join(root, 'images/orchestrator/Dockerfile'));
  const entries: TarEntry[] = [
    { type: 'data', path: 'Dockerfile', data: dockerfile },
    ...sourceEntries(root, WORKSPACES),
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
  const version = options.version ?? orchestratorVersion(root);
  const tag = `${ORCHESTRATOR_REPO}:${version}`;
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
  if (wanted !== 'pull') plans.push(await offlinePlan(docker, root, say));
  if (wanted !== 'offline') plans.push(await pullPlan(root));
  const current = await imageLabel(docker, tag, CONTENT_HASH_LABEL);
  const reusable = plans.find((p) => p.hash === current);
  if (reusable && !options.force) {
    const info = await docker.getImage(tag).inspect();
    say(`${tag} is up to date (${reusable.path} build ${reusable.hash.slice(0, 12)})`);
    return result(reusable, info.Id, false);
  }

  let plan: Plan;
  if (wanted === 'auto') {
    const pull = await canPull(docker, options.pullTimeoutMs ?? 8_000, say);
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
  const out = result(plan, info.Id, true);
  say(`${tag} built in ${out.seconds.toFixed(1)} s (${(info.Size / 1e6).toFixed(0)} MB)`);
  return out;
}
