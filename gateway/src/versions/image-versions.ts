import type Docker from 'dockerode';
import { ConflictError, UnprocessableError } from '../errors.js';
import type { InstalledVersion, VersionCatalog, VersionSource } from './version-catalog.js';
import { VERSION_NAME } from './version-name.js';

/** `repo` of `repo:tag` (a registry port `host:5000/repo` kept). */
export function imageRepo(image: string): string {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? image.slice(0, at) : image;
}

/**
 * Orchestrator versions of the docker runtime: the tags of the instance
 * image (`silo-orchestrator:<version>`), built offline (`silo image build
 * --version V`) or tagged from another image by `install`. The driver starts
 * a tenant pinned to V on `<repo>:V`.
 *
 * @example
 * const versions = new ImageVersions(docker, () => driver.specConfig());
 * await versions.install('0.2.0', { image: 'registry.local/silo-orchestrator:0.2.0' });
 */
export class ImageVersions implements VersionCatalog {
  constructor(
    private readonly docker: Docker,
    /** The driver's image and its version (the image may be built on first use). */
    private readonly image: () => Promise<{ image: string; version: string }>,
  ) {}

  async current(): Promise<string> {
    return (await this.image()).version;
  }

  async #o(): Promise<{ repo: string; current: string }> {
    const { image, version } = await this.image();
    return { repo: imageRepo(image), current: version };
  }

  async list(): Promise<InstalledVersion[]> {
    const o = await this.#o();
    const images = await this.docker.listImages({ filters: { reference: [o.repo] } });
    const out = new Map<string, InstalledVersion>();
    for (const image of images) {
      for (const tag of image.RepoTags ?? []) {
        if (imageRepo(tag) !== o.repo) continue;
        const version = tag.slice(o.repo.length + 1);
        if (!VERSION_NAME.test(version) || version === 'latest') continue;
        out.set(version, {
          version,
          current: version === o.current,
          installedAt: new Date(image.Created * 1000).toISOString(),
          source: `image ${tag}`,
        });
      }
    }
    if (!out.has(o.current))
      out.set(o.current, {
        version: o.current,
        current: true,
        installedAt: null,
        source: 'the gateway build',
      });
    return [...out.values()];
  }

  async has(version: string): Promise<boolean> {
    const o = await this.#o();
    if (version === o.current) return true;
    return this.docker
      .getImage(`${o.repo}:${version}`)
      .inspect()
      .then(
        () => true,
        () => false,
      );
  }

  async install(version: string, from: VersionSource): Promise<InstalledVersion> {
    if (from.image === undefined)
      throw new UnprocessableError(
        'image: the docker runtime installs a version from an image (name:tag)',
        'image',
      );
    const o = await this.#o();
    if (await this.has(version))
      throw new ConflictError(`orchestrator version ${version} is already installed`);
    const image = this.docker.getImage(from.image);
    await image.inspect().catch(() => {
      throw new UnprocessableError(
        `image: no image ${from.image} in the engine (build or load it first)`,
        'image',
      );
    });
    await image.tag({ repo: o.repo, tag: version });
    return { version, current: false, installedAt: new Date().toISOString(), source: `image ${from.image}` };
  }
}
