/** One orchestrator version a gateway can start tenants on. */
export type InstalledVersion = {
  version: string;
  /** The gateway's own build. */
  current: boolean;
  /** ISO-8601; null when unknown (the current build before its copy was made, an image). */
  installedAt: string | null;
  /** Where it came from: a bundle path, an image, "the gateway build". */
  source: string;
};

/** What a version is installed from: a bundle (process runtime) or an image (docker). */
export type VersionSource = { bundle?: string; image?: string };

/**
 * The orchestrator versions installed side by side on one runtime
 * (`BundleVersions`: process; `ImageVersions`: docker). The current build is
 * always one of them.
 */
export interface VersionCatalog {
  /** The gateway's own build: tenants created before versions existed are pinned to it. */
  current(): Promise<string>;
  list(): Promise<InstalledVersion[]>;
  has(version: string): Promise<boolean>;
  /** @throws ConflictError when installed already, UnprocessableError when the source is unusable. */
  install(version: string, from: VersionSource): Promise<InstalledVersion>;
}
