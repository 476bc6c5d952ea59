import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import {
  chmod,
  copyFile,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConflictError, UnprocessableError } from '../errors.js';
import type { InstalledVersion, VersionCatalog, VersionSource } from './version-catalog.js';
import { VERSION_NAME } from './version-name.js';

/** `<data dir>/versions/`: one folder per installed orchestrator version (process runtime). */
export const versionsRoot = (dataDir: string): string => join(resolve(dataDir), 'versions');
/** The entry an instance of `version` runs: `<data dir>/versions/<version>/main.js`. */
export const versionEntry = (dataDir: string, version: string): string => {
  if (!VERSION_NAME.test(version)) throw new Error(`invalid version name "${version}"`);
  return join(versionsRoot(dataDir), version, 'main.js');
};

/** What an instance start runs: argv, the entry (to recognise the process), the paths a sandbox binds. */
export type InstanceRun = { command: readonly string[]; entry: string; appPaths: readonly string[] };

/**
 * What a start pinned to `version` runs: `defaults` (the driver's command)
 * for the current build or no pin, else that version's installed bundle,
 * its folder bound read-only into the sandbox too.
 *
 * @example
 * const run = versionedRun('.silo', '0.2.0', '0.1.0', defaults); // [node, '<abs>/.silo/versions/0.2.0/main.js']
 */
export function versionedRun(
  dataDir: string,
  version: string | undefined,
  current: string,
  defaults: InstanceRun,
): InstanceRun {
  if (version === undefined || version === current) return defaults;
  const entry = versionEntry(dataDir, version);
  if (!existsSync(entry))
    throw new Error(`orchestrator version ${version} is not installed (no ${entry}): silo versions add`);
  return { command: [process.execPath, entry], entry, appPaths: [...defaults.appPaths, dirname(entry)] };
}

type Meta = { version: string; installedAt: string; source: string; sha256: string };

/**
 * Orchestrator versions of the process runtime, installed side by side as
 * one-file bundles (`npm run build` makes `packages/orchestrator/dist/bundle/main.js`):
 * `<data dir>/versions/<version>/main.js`, a `node_modules` link to the
 * gateway's own (the bundle leaves only better-sqlite3 outside) and
 * `version.json`. A folder is made beside and renamed into place, so a
 * listed version is always complete. Readable by all (a sandboxed instance
 * runs it as its tenant's uid); bundles hold no secrets.
 *
 * The gateway's current build is its own version: `ensureCurrent` copies its
 * bundle in (again when the build changed), so it stays installed after the
 * gateway itself moves on to a newer build.
 *
 * @example
 * const versions = new BundleVersions('.silo', { current: '0.1.0', currentBundle, nodeModules });
 * await versions.install('0.2.0', { bundle: '/opt/silo-0.2.0/main.js' });
 */
export class BundleVersions implements VersionCatalog {
  readonly #root: string;
  constructor(
    dataDir: string,
    private readonly o: {
      /** The version name of the gateway's own build. */
      current: string;
      /** Its bundle, when built (`undefined`: instances of it run the compiled `dist/main.js` and no copy is kept). */
      currentBundle: string | undefined;
      /** The `node_modules` folder the bundles load better-sqlite3 from. */
      nodeModules: string;
    },
  ) {
    this.#root = versionsRoot(dataDir);
    mkdirSync(this.#root, { recursive: true, mode: 0o755 });
  }

  async current(): Promise<string> {
    return this.o.current;
  }

  /** Installs (or refreshes) the copy of the current build. */
  async ensureCurrent(): Promise<void> {
    const bundle = this.o.currentBundle;
    if (bundle === undefined) return;
    const sha256 = await sha256Of(bundle);
    const meta = await this.#meta(this.o.current);
    if (meta?.sha256 === sha256) return;
    await this.#put(this.o.current, bundle, 'the gateway build', true);
  }

  async install(version: string, from: VersionSource): Promise<InstalledVersion> {
    if (from.bundle === undefined)
      throw new UnprocessableError(
        'bundle: the process runtime installs a version from a bundle (main.js)',
        'bundle',
      );
    if (await this.has(version))
      throw new ConflictError(`orchestrator version ${version} is already installed`);
    const file = await bundleFile(from.bundle);
    await this.#put(version, file, file, false);
    return (await this.list()).find((v) => v.version === version) as InstalledVersion;
  }

  async has(version: string): Promise<boolean> {
    return version === this.o.current || existsSync(versionEntry(join(this.#root, '..'), version));
  }

  async list(): Promise<InstalledVersion[]> {
    const names = (await readdir(this.#root).catch(() => [] as string[])).filter((n) => VERSION_NAME.test(n));
    const out: InstalledVersion[] = [];
    for (const name of names) {
      const meta = await this.#meta(name);
      if (meta !== undefined)
        out.push({
          version: name,
          current: name === this.o.current,
          installedAt: meta.installedAt,
          source: meta.source,
        });
    }
    if (!out.some((v) => v.current))
      out.push({ version: this.o.current, current: true, installedAt: null, source: 'the gateway build' });
    return out;
  }

  async #meta(version: string): Promise<Meta | undefined> {
    try {
      return JSON.parse(await readFile(join(this.#root, version, 'version.json'), 'utf8')) as Meta;
    } catch {
      return undefined;
    }
  }

  /** Copies the bundle into a fresh folder beside, then renames it into place (replacing only when `replace`). */
  async #put(version: string, bundle: string, source: string, replace: boolean): Promise<void> {
    const staging = join(this.#root, `.staging-${version}-${randomBytes(4).toString('hex')}`);
    await mkdir(staging, { mode: 0o755 });
    try {
      await copyFile(bundle, join(staging, 'main.js'));
      await chmod(join(staging, 'main.js'), 0o644);
      // The entry loads the bundled instance beside it (and its V8 code cache, when built): copy them too.
      for (const name of BUNDLE_COMPANIONS) {
        const companion = join(dirname(bundle), name);
        if (!(await stat(companion).catch(() => undefined))?.isFile()) continue;
        await copyFile(companion, join(staging, name));
        await chmod(join(staging, name), 0o644);
      }
      await symlink(this.o.nodeModules, join(staging, 'node_modules'), 'dir');
      const meta: Meta = {
        version,
        installedAt: new Date().toISOString(),
        source,
        sha256: await sha256Of(bundle),
      };
      await writeFile(join(staging, 'version.json'), `${JSON.stringify(meta, null, 1)}\n`, { mode: 0o644 });
      await chmod(staging, 0o755);
      const target = join(this.#root, version);
      if (replace) await rm(target, { recursive: true, force: true });
      await rename(staging, target);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
  }
}

/** Files beside a bundle's `main.js` that it loads at start (scripts/bundle.mjs in the orchestrator). */
const BUNDLE_COMPANIONS = ['instance.cjs', 'instance.cjs.cache'] as const;

/** `path` itself when a file, else `main.js` in it (a bundle folder). */
async function bundleFile(path: string): Promise<string> {
  const found = await stat(path).catch(() => undefined);
  const file = found?.isDirectory() ? join(path, 'main.js') : path;
  const isFile = (await stat(file).catch(() => undefined))?.isFile() ?? false;
  if (!isFile)
    throw new UnprocessableError(
      `bundle: no bundle at ${path} (a main.js, or a folder holding one)`,
      'bundle',
    );
  return file;
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}
