/** The Docker runtime: the public API of `runtime/docker/` (explicit list, no `export *`). */
export { DockerProgressError, type ProgressEvent, readProgress } from './docker-progress.js';
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
