import type { UidRange } from './tenant-uids.js';

export type ProcessDriverOptions = {
  /** The gateway's data folder; each tenant gets `<dataDir>/tenants/<id>/`. */
  dataDir: string;
  /**
   * The program that runs one instance, as argv.
   * @default orchestratorCommand(): `node --snapshot-blob <repo>/packages/orchestrator/dist/bundle/instance.blob` when built by this node, else `node` with the bundle's `main.js` when built, else `dist/main.js`
   */
  command?: readonly string[];
  /** Extra environment for every instance (tests). @default {} */
  env?: Record<string, string>;
  /** How often the pids of adopted instances (not children of this gateway) are checked while watched. @default 500 */
  pidCheckMs?: number;
  /** `auto`: sandbox every instance when the gateway may (see `sandbox.ts`); `off`: never (tests). @default 'auto' */
  isolation?: 'auto' | 'off';
  /** `SILO_ALLOW_UNISOLATED`: without a sandbox, run a second tenant anyway. @default false */
  allowUnisolated?: boolean;
  /** The uids tenants run as when sandboxed. @default DEFAULT_UID_RANGE (2000000, 1000000 of them) */
  uids?: UidRange;
  /**
   * Host paths a sandboxed instance sees read-only (at the same path).
   * @default the orchestrator and contracts packages, the repo's node_modules, and the folder of each absolute file of `command`
   */
  appPaths?: readonly string[];
  /**
   * The version name of the default command's build: a start pinned to
   * another version runs `<dataDir>/versions/<version>/main.js` instead.
   * @default the orchestrator package's version
   */
  currentVersion?: string;
  /** Time between reporting an instance of a tenant the registry does not know and stopping it. @default 60000 */
  orphanGraceMs?: number;
  /** Bounds of each `instance.log` (`LogRotation`): size, rotated files kept, time between checks. @default 10 MiB, 3, 30 s */
  log?: { maxBytes?: number; keep?: number; checkMs?: number };
};
