/** The Swarm runtime: the public API of `runtime/swarm/` (explicit list, no `export *`). */
export { closeRelay, openRelay, relayPort, releaseRelays } from './relay.js';
export {
  NODE_LABEL,
  RUNTIME_LABEL,
  SECRETS_FILE,
  secretName,
  serviceSpec,
  swarmLabels,
  swarmNetworkSpec,
} from './service-spec.js';
export { SwarmDriver, type SwarmDriverOptions } from './swarm-driver.js';
export { pickNode } from './task-status.js';
