import { join } from 'node:path';
import type Docker from 'dockerode';
import {
  APP_PATHS,
  currentBuildVersion,
  ORCHESTRATOR_BUNDLE,
  orchestratorEntry,
} from '../runtime/process/orchestrator-entry.js';
import type { RuntimeDriver } from '../runtime/runtime-driver.js';
import { BundleVersions } from './bundle-versions.js';
import { ImageVersions } from './image-versions.js';
import type { VersionCatalog } from './version-catalog.js';
import { newestVersion } from './version-name.js';

/**
 * The version catalog of a driver: bundles under the data dir (process),
 * image tags (docker); none for the others (swarm, fake: upgrades answer 501).
 *
 * @example
 * const versions = versionCatalogOf(driver, config.dataDir);
 */
export function versionCatalogOf(driver: RuntimeDriver, dataDir: string): VersionCatalog | undefined {
  if (driver.name === 'process') {
    const entry = orchestratorEntry();
    return new BundleVersions(dataDir, {
      current: currentBuildVersion(),
      currentBundle: entry === ORCHESTRATOR_BUNDLE ? entry : undefined,
      nodeModules: APP_PATHS.find((p) => p.endsWith('node_modules')) ?? join(process.cwd(), 'node_modules'),
    });
  }
  if (driver.name === 'docker' && 'docker' in driver && 'specConfig' in driver) {
    const d = driver as unknown as {
      docker: Docker;
      specConfig(): Promise<{ image: string; version: string }>;
    };
    return new ImageVersions(d.docker, () => d.specConfig());
  }
  return undefined;
}

/**
 * The version new tenants are pinned to: the newest installed release. A
 * pre-release (`0.2.0-rc.1`, a canary) is never picked on its own: tenants
 * reach it only by an explicit upgrade.
 */
export async function versionForNewTenants(catalog: VersionCatalog): Promise<string> {
  const releases = (await catalog.list()).map((v) => v.version).filter((v) => !v.includes('-'));
  return newestVersion(releases) ?? (await catalog.current());
}
