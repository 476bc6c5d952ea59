/**
 * Every default of the lifecycle, written once: the manager's options
 * (`lifecycle-options.ts`), the wake scheduler, the idle reaper and the HTTP
 * probe read them from here. No imports, so that anything may read it.
 */
export const LIFECYCLE_DEFAULTS = {
  stopGraceMs: 15_000,
  /** Grace of the stop that cleans up after a failed start or a crash loop. */
  failStopGraceMs: 1_000,
  readyPollMs: 5,
  /** SILO_START_CONCURRENCY's default: adaptive (`adaptive-limit.ts`; bench/sections/wake-throughput.mjs sweeps it against fixed bounds). */
  startConcurrency: 'auto' as const,
  readyAttemptMs: 1_000,
  /** Readiness polls between two checks that the starting instance still runs. */
  readyPollsPerInspect: 20,
  instanceLogLevel: 'info',
  wakeLeadMs: 2_000,
  crashWindowMs: 60_000,
  crashLoopAfter: 3,
  /** SILO_STORAGE_MB's default. */
  defaultStorageMb: 1024,
  /** How often the idle reaper fetches every running instance's report. */
  reportIntervalMs: 5_000,
  /** Bound on one lifecycle report over HTTP. */
  reportAttemptMs: 3_000,
  /** Start time assumed for a tenant whose start was never measured. */
  assumedStartMs: 1_000,
  /** Retry-After (s) when the cap is reached and no instance is idle. */
  capRetryAfterSeconds: 5,
  now: (): number => Date.now(),
} as const;
