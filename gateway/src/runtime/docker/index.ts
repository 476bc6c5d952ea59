/** The Docker runtime: the public API of `runtime/docker/` (explicit list, no `export *`). */
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
export {
  type DockerEventMap,
  type DockerEventName,
  DockerEvents,
  type DockerEventsOptions,
} from './events.js';
export {
  type ContainerRef,
  DockerReconciler,
  type ReconcileOptions,
  type ReconcileReport,
} from './reconcile.js';
