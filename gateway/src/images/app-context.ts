import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { TarEntry } from './tar-writer.js';

/**
 * The build contexts of the orchestrator image, as lists of tar entries read
 * straight from the work tree (no copy on disk). Docker 20.10's legacy
 * builder honours only a `.dockerignore` at the context root, and the repo's
 * top level is fixed, so Silo never sends the repo as context: it sends
 * exactly the files an image needs.
 *
 * - `appEntries`: the built application — the orchestrator's and contracts'
 *   `dist/` and the production dependency closure from `node_modules`
 *   (native addons as built on this host), under `app/`, laid out as in the
 *   repo so that Node's resolution finds the same files.
 * - `sourceEntries`: the sources and lockfile, for the multi-stage
 *   Dockerfile that installs and compiles inside `node:20-bookworm-slim`.
 */

const toPosix = (path: string) => path.split(sep).join('/');

/**
 * Folders never shipped from a dependency. Kept short on purpose: names such
 * as `doc/` or `test/` are code in some packages (yaml's `dist/doc/`).
 */
const SKIP_DIRS = new Set(['.github', '__tests__', 'node_modules']);
/** Extra folders skipped in a native addon's package: sources and intermediate build output. */
const SKIP_NATIVE = [/^deps(\/|$)/, /^src(\/|$)/, /^build\/(deps|Release\/(obj|obj\.target|\.deps))(\/|$)/];
/** Files no program loads. */
const SKIP_FILE = /(\.md|\.markdown|\.map|\.d\.[cm]?ts|\.tsbuildinfo)$/i;
/** Build leftovers of a native addon. */
const SKIP_NATIVE_FILE = /(\.a|\.o|\.gyp|\.gypi|\.mk|Makefile|test_extension\.node)$/;

type Walked = { rel: string; abs: string; kind: 'dir' | 'file' | 'symlink'; size: number; mode: number };

function walk(root: string, keep: (rel: string, isDir: boolean) => boolean): Walked[] {
  const out: Walked[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const rel = toPosix(relative(root, abs));
      const st = lstatSync(abs);
      if (st.isDirectory()) {
        if (!keep(rel, true)) continue;
        out.push({ rel, abs, kind: 'dir', size: 0, mode: st.mode & 0o777 });
        visit(abs);
      } else if (st.isFile() || st.isSymbolicLink()) {
        if (!keep(rel, false)) continue;
        // Links inside a package are followed: the image gets the file itself.
        const real = st.isSymbolicLink() ? statSync(abs) : st;
        if (!real.isFile()) continue;
        out.push({ rel, abs: realpathSync(abs), kind: 'file', size: real.size, mode: real.mode & 0o777 });
      }
    }
  };
  visit(root);
  return out;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** Finds `name` from `fromDir` as Node would: `node_modules` of each parent up to `root`. */
function resolvePackage(root: string, fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === dirname(dir)) return undefined;
  }
}

/** A package directory to ship, at `at` (repo-relative), with its real files in `real`. */
type ShippedPackage = { at: string; real: string; workspace: boolean };

/** The production dependency closure of the workspace at `workspaceDir`, itself included. */
export function productionClosure(root: string, workspaceDir: string): ShippedPackage[] {
  const found = new Map<string, ShippedPackage>();
  const queue: ShippedPackage[] = [{ at: workspaceDir, real: workspaceDir, workspace: true }];
  while (queue.length > 0) {
    const pkg = queue.shift()!;
    if (found.has(pkg.at)) continue;
    found.set(pkg.at, pkg);
    const manifest = readJson(join(pkg.real, 'package.json'));
    const required = Object.keys((manifest.dependencies as object | undefined) ?? {});
    const optional = [
      ...Object.keys((manifest.optionalDependencies as object | undefined) ?? {}),
      ...Object.keys((manifest.peerDependencies as object | undefined) ?? {}),
    ];
    for (const name of [...required, ...optional]) {
      // Node resolves from the real path of a package (links followed), so do we.
      const at = resolvePackage(root, pkg.real, name);
      if (!at) {
        if (required.includes(name)) {
          throw new Error(
            `${name} (a dependency of ${pkg.at || 'the root'}) is not installed: run npm install`,
          );
        }
        continue;
      }
      const real = realpathSync(at);
      const realRel = toPosix(relative(root, real));
      const workspace = lstatSync(at).isSymbolicLink() && !realRel.includes('node_modules');
      queue.push({ at: toPosix(relative(root, at)), real, workspace });
      // A linked workspace ships twice: the link in node_modules and the package where it really is.
      if (workspace) queue.push({ at: realRel, real, workspace });
    }
  }
  return [...found.values()];
}

function packageEntries(root: string, pkg: ShippedPackage, prefix: string): TarEntry[] {
  const entries: TarEntry[] = [];
  if (pkg.workspace) {
    const realRel = toPosix(relative(root, pkg.real));
    if (realRel !== pkg.at) {
      // node_modules/@silo/contracts → ../../packages/contracts, as npm links workspaces.
      const target = toPosix(relative(dirname(join(root, pkg.at)), pkg.real));
      entries.push({ type: 'symlink', path: `${prefix}${pkg.at}`, target });
      return entries;
    }
    const manifest = join(pkg.real, 'package.json');
    entries.push({
      type: 'file',
      path: `${prefix}${pkg.at}/package.json`,
      source: manifest,
      size: statSync(manifest).size,
    });
    const dist = join(pkg.real, 'dist');
    if (!existsSync(dist)) throw new Error(`${pkg.at}/dist is missing: run npx tsc -b first`);
    // Not the bundle's startup snapshot (instance.blob, blob.json, snapshot.cjs): it is tied to this
    // host's node binary and paths, and the image starts the bundle (packages/orchestrator/scripts/snapshot.mjs).
    for (const w of walk(
      dist,
      (rel, isDir) =>
        isDir ||
        !/(\.test\.js|\.map|\.d\.ts|\.tsbuildinfo|bundle\/(instance\.blob|blob\.json|snapshot\.cjs))$/.test(
          rel,
        ),
    )) {
      entries.push(toEntry(`${prefix}${pkg.at}/dist/${w.rel}`, w));
    }
    return entries;
  }
  const native = existsSync(join(pkg.real, 'binding.gyp'));
  const keep = (rel: string, isDir: boolean) => {
    const base = rel.split('/').pop() ?? rel;
    if (isDir && SKIP_DIRS.has(base)) return false;
    if (native && SKIP_NATIVE.some((re) => re.test(rel))) return false;
    if (isDir || base === 'package.json') return true;
    return !SKIP_FILE.test(base) && !(native && SKIP_NATIVE_FILE.test(base));
  };
  for (const w of walk(pkg.real, keep)) entries.push(toEntry(`${prefix}${pkg.at}/${w.rel}`, w));
  return entries;
}

function toEntry(path: string, w: Walked): TarEntry {
  return w.kind === 'dir'
    ? { type: 'dir', path }
    : { type: 'file', path, source: w.abs, size: w.size, mode: w.mode & 0o111 ? 0o755 : 0o644 };
}

/** Adds the parent folders an entry list lacks, parents first. */
function withParents(entries: TarEntry[]): TarEntry[] {
  const have = new Set(entries.filter((e) => e.type === 'dir').map((e) => e.path));
  const dirs = new Set<string>();
  for (const e of entries) {
    for (let d = dirname(e.path); d !== '.' && d !== '/'; d = dirname(d)) if (!have.has(d)) dirs.add(d);
  }
  return [...[...dirs].sort().map((path): TarEntry => ({ type: 'dir', path })), ...entries];
}

/**
 * The built application of `workspace` (e.g. `packages/orchestrator`) under
 * `app/`: its `dist/`, the workspaces it depends on, and the production
 * `node_modules` closure.
 */
export function appEntries(root: string, workspace: string): TarEntry[] {
  const entries: TarEntry[] = [];
  for (const pkg of productionClosure(root, workspace)) entries.push(...packageEntries(root, pkg, 'app/'));
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return withParents(entries);
}

/** The files the multi-stage Dockerfile needs to `npm ci` and compile the given workspaces. */
export function sourceEntries(root: string, workspaces: string[]): TarEntry[] {
  const file = (rel: string): TarEntry => {
    const abs = join(root, rel);
    return { type: 'file', path: rel, source: abs, size: statSync(abs).size };
  };
  const entries: TarEntry[] = [file('package.json'), file('package-lock.json'), file('tsconfig.base.json')];
  // npm ci checks every workspace of the lockfile: their manifests go in, their sources do not.
  const rootManifest = readJson(join(root, 'package.json'));
  for (const ws of (rootManifest.workspaces as string[] | undefined) ?? []) {
    if (existsSync(join(root, ws, 'package.json'))) entries.push(file(`${ws}/package.json`));
  }
  for (const ws of workspaces) {
    entries.push(file(`${ws}/tsconfig.json`));
    for (const w of walk(join(root, ws, 'src'), (rel, isDir) => isDir || !rel.endsWith('.test.ts'))) {
      entries.push(toEntry(`${ws}/src/${w.rel}`, w));
    }
    // Build scripts (the orchestrator's bundle step) run in the image's build stage too.
    if (existsSync(join(root, ws, 'scripts'))) {
      for (const w of walk(join(root, ws, 'scripts'), () => true))
        entries.push(toEntry(`${ws}/scripts/${w.rel}`, w));
    }
  }
  const unique = new Map(entries.map((e) => [e.path, e]));
  return withParents([...unique.values()].sort((a, b) => (a.path < b.path ? -1 : 1)));
}

/** A hash of the entries' names, modes and contents: equal hash, equal image. */
export async function hashEntries(entries: TarEntry[], extra: string[] = []): Promise<string> {
  const hash = createHash('sha256');
  for (const x of extra) hash.update(`${x}\0`);
  for (const e of entries) {
    hash.update(`${e.type}:${e.path}:${'mode' in e ? (e.mode ?? '') : ''}\0`);
    if (e.type === 'symlink') hash.update(e.target);
    if (e.type === 'data') hash.update(e.data);
    if (e.type === 'file') for await (const chunk of createReadStream(e.source)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex').slice(0, 32);
}
