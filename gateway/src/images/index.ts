/**
 * Image building: the public API of `images/` (explicit list, no `export *`).
 * Beside the runtimes, not inside one: the Docker driver builds on first use,
 * `silo image build` builds by hand, and a Swarm runtime will need the same image.
 */
export { appEntries, hashEntries, productionClosure, sourceEntries } from './app-context.js';
export { DockerProgressError, type ProgressEvent, readProgress } from './docker-progress.js';
export {
  ensureOrchestratorImage,
  findRoot,
  GATEWAY_REPO,
  ImageBuildError,
  type ImageBuildOptions,
  type ImageBuildPath,
  type ImageTarget,
  ORCHESTRATOR_REPO,
  type OrchestratorImage,
  orchestratorVersion,
  PULL_BASE,
  packageVersion,
} from './image-builder.js';
export {
  type BaseImage,
  CONTENT_HASH_LABEL,
  ensureOfflineBase,
  imageLabel,
  type OfflineBaseOptions,
  type OfflineBasePlan,
  parseLdd,
  planOfflineBase,
  SILO_USER,
} from './offline-base.js';
export { type TarEntry, tarStream } from './tar-writer.js';
