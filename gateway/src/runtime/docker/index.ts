/** The Docker runtime: the public API of `runtime/docker/` (explicit list, no `export *`). */
export { appEntries, hashEntries, productionClosure, sourceEntries } from './app-context.js';
export {
  CONTAINER_PORT,
  type ContainerSpecConfig,
  containerName,
  containerSpec,
  DEFAULT_LIMITS,
  LABELS,
  networkName,
  volumeName,
} from './container-spec.js';
export { demuxLogs } from './demux-logs.js';
export { DockerDriver, type DockerDriverOptions, DockerStartError } from './docker-driver.js';
export { DockerProgressError, type ProgressEvent, readProgress } from './docker-progress.js';
export {
  type DockerEventMap,
  type DockerEventName,
  DockerEvents,
  type DockerEventsOptions,
} from './events.js';
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
export {
  type ContainerRef,
  DockerReconciler,
  type ReconcileOptions,
  type ReconcileReport,
} from './reconcile.js';
export { type TarEntry, tarStream } from './tar-writer.js';
