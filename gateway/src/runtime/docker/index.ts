/** The Docker runtime: the public API of `runtime/docker/` (explicit list, no `export *`). */
export { CONTAINER_PORT, type ContainerSpecConfig, containerSpec, DEFAULT_LIMITS } from './container-spec.js';
export { demuxLogs } from './demux-logs.js';
export { DockerDriver, type DockerDriverOptions } from './docker-driver.js';
export {
  type DockerEventMap,
  type DockerEventName,
  DockerEvents,
  type DockerEventsOptions,
  watchRuntimeEvents,
} from './events.js';
export { type Freezer, FreezerUnusable, freeze, isFrozen, resolveFreezer, thaw } from './freezer.js';
export {
  type ContainerRef,
  DockerReconciler,
  type ReconcileOptions,
  type ReconcileReport,
} from './reconcile.js';
export {
  checkScope,
  containerName,
  DEFAULT_SCOPE,
  LABELS,
  networkName,
  ownedBy,
  ownedByDocker,
  SCOPE_PATTERN,
  scopeFilters,
  volumeName,
} from './scope.js';
export { DockerStartError, startContainer } from './start-container.js';
export { Thawer, type ThawerOptions, type ThawMode } from './thawer.js';
