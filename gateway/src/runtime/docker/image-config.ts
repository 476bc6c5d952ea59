import type Docker from 'dockerode';
import {
  ensureOrchestratorImage,
  type ImageBuildOptions,
  ORCHESTRATOR_REPO,
} from '../../images/image-builder.js';
import { imageRepo } from '../../versions/image-versions.js';
import type { ResourceLimits } from '../runtime-driver.js';
import { type ContainerSpecConfig, DEFAULT_LIMITS, DEFAULT_TMPFS_MB } from './container-spec.js';
import { DEFAULT_SCOPE, LABELS } from './scope.js';

/** What the driver's options say about the image and the containers' shape. */
export type ImageConfigOptions = {
  image?: string;
  build?: ImageBuildOptions | false;
  defaultLimits?: Partial<Required<ResourceLimits>>;
  tmpfsMb?: number;
  bindHost?: string;
  scope?: string;
  onProgress?: (line: string) => void;
};

/**
 * The container spec's settings, with the image found (`build: false`: it
 * must exist) or built when missing or stale (`gateway/src/images/`).
 *
 * @example
 * const config = await resolveSpecConfig(new Docker(), { build: { path: 'offline' } });
 * config.image; // 'silo-orchestrator:0.1.0'
 */
export async function resolveSpecConfig(docker: Docker, o: ImageConfigOptions): Promise<ContainerSpecConfig> {
  const base = {
    defaultLimits: { ...DEFAULT_LIMITS, ...o.defaultLimits },
    tmpfsMb: o.tmpfsMb ?? DEFAULT_TMPFS_MB,
    bindHost: o.bindHost ?? '127.0.0.1',
    scope: o.scope ?? DEFAULT_SCOPE,
  };
  if (o.build === false) {
    const image = o.image ?? `${ORCHESTRATOR_REPO}:latest`;
    const info = await docker.getImage(image).inspect();
    return {
      ...base,
      image,
      version: info.Config.Labels?.[LABELS.version] ?? image.split(':')[1] ?? 'unknown',
    };
  }
  const built = await ensureOrchestratorImage(docker, {
    ...o.build,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  return { ...base, image: o.image ?? built.tag, version: built.version };
}

/**
 * The spec settings of a start pinned to `version` (issue 16 §4): the same
 * image repository tagged with that version (`silo-orchestrator:0.2.0`),
 * which must exist; the driver's own image for its own version or no pin.
 *
 * @example
 * containerSpec(request, await pinnedImage(docker, config, '0.2.0'));
 */
export async function pinnedImage(
  docker: Docker,
  config: ContainerSpecConfig,
  version: string | undefined,
): Promise<ContainerSpecConfig> {
  if (version === undefined || version === config.version) return config;
  const image = `${imageRepo(config.image)}:${version}`;
  await docker
    .getImage(image)
    .inspect()
    .catch(() => {
      throw new Error(
        `orchestrator version ${version} is not installed (no image ${image}): silo versions add`,
      );
    });
  return { ...config, image, version };
}
