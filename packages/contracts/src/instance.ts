import { z } from 'zod';
import { KestraVersionSchema, LEGACY_KESTRA_VERSION } from './dialect.js';
import { TenantIdSchema } from './tenant-id.js';
import { MAX_WEBHOOK_KEYS } from './webhook.js';

/**
 * The contract between the gateway and a tenant's instance (DESIGN.md,
 * "Contract between gateway and instance"). The gateway talks to instances
 * over HTTP only; these names and shapes are all it relies on.
 */

/** The header that carries the instance token from the gateway to the instance. */
export const INSTANCE_TOKEN_HEADER = 'x-silo-instance-token';

/** Liveness: the process answers. */
export const HEALTHZ_PATH = '/healthz';
/** Readiness: store open, migrations done, interrupted work recovered. */
export const READYZ_PATH = '/readyz';
/** The lifecycle report (`LifecycleReport`). */
export const LIFECYCLE_PATH = '/_silo/lifecycle';
/**
 * `POST`: a consistent copy of the instance's SQLite file, taken online while
 * it works (the gateway's backups). Body: the SQLite file; header
 * `x-silo-snapshot-bytes` its size.
 */
export const SNAPSHOT_PATH = '/_silo/snapshot';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The environment an instance reads at start, validated once in its `main.ts`.
 * Secrets are not passed here: they reach the instance on its standard input
 * (see `SILO_SECRETS_FD`) so that they show neither in `docker inspect` nor in
 * the process list.
 */
export const InstanceEnvSchema = z.object({
  /** The tenant this instance serves; it also answers for Kestra's default tenant `main`. */
  SILO_TENANT_ID: TenantIdSchema,
  /** TCP port to listen on. @default 8081 */
  SILO_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /**
   * Unix socket to listen on instead of `SILO_HOST:SILO_PORT` (the process
   * runtime: no TCP port another tenant's task could find). Unset: TCP.
   */
  SILO_SOCKET: z.string().min(1).max(107, 'SILO_SOCKET must fit a unix socket path (107 bytes)').optional(),
  /** Interface to listen on. @default 127.0.0.1 (the Docker image sets 0.0.0.0) */
  SILO_HOST: z.string().min(1).default('127.0.0.1'),
  /** Folder holding `silo.db` and uploaded files. @default ./data */
  SILO_DATA_DIR: z.string().min(1).default('./data'),
  /** When set, API requests must carry it in `x-silo-instance-token`. */
  SILO_INSTANCE_TOKEN: z.string().min(16).optional(),
  /** @default info */
  SILO_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Grace period for running task runs on SIGTERM, in ms. @default 10000 */
  SILO_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** Task attempts the worker runs at once. @default 16 */
  SILO_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(4096).default(16),
  /**
   * Lease of a worker job in ms: renewed every third of it while the attempt
   * runs; a running job whose lease expired is resubmitted as a new attempt. @default 60000
   */
  SILO_JOB_LEASE_MS: z.coerce.number().int().min(100).default(60_000),
  /** Executor events decided per committed transaction. @default 256 */
  SILO_EXECUTOR_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(256),
  /** Largest request body the API accepts (uploads included), in bytes; larger → 413. @default 104857600 (100 MiB) */
  SILO_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(100 * 1024 * 1024),
  /**
   * The tenant's storage quota in MB (`storageMb`): writes past it fail with
   * 507 naming the quota. Unset: no quota (a standalone instance).
   */
  SILO_STORAGE_MB: z.coerce.number().int().min(1).max(16_777_216).optional(),
  /**
   * The tenant's `maxConcurrentExecutions`: executions RUNNING (or holding a
   * slot: PAUSED, KILLING) at once; the rest wait QUEUED, oldest first. Unset: no cap.
   */
  SILO_MAX_CONCURRENT_EXECUTIONS: z.coerce.number().int().min(1).max(100_000).optional(),
  /**
   * The Kestra dialect this instance speaks: flow rules, error bodies and
   * response shapes of that version. @default "1.3" (an instance started
   * without it predates dialects)
   */
  SILO_KESTRA_VERSION: KestraVersionSchema.default(LEGACY_KESTRA_VERSION),
  /** When `stdin`, the instance reads a JSON object of secrets from its standard input at start. */
  SILO_SECRETS_FROM: z.enum(['none', 'stdin']).default('none'),
});
export type InstanceEnv = z.infer<typeof InstanceEnvSchema>;

/**
 * What `GET /_silo/lifecycle` answers. The gateway's idle reaper never stops an
 * instance that says `busy`, and wakes a stopped one at `nextWakeAt`.
 */
export const LifecycleReportSchema = z.object({
  /** Work is running now (task runs executing, executions being decided), not merely waiting on a timer. */
  busy: z.boolean(),
  /** Open streaming responses (SSE follow endpoints). */
  activeStreams: z.number().int().min(0),
  /** Executions not yet terminal (running, paused, queued, waiting on a timer). */
  pendingExecutions: z.number().int().min(0),
  /** The earliest durable timer (Sleep end, Pause delay/timeout, retry back-off, next schedule), ISO-8601, or null. */
  nextWakeAt: z.string().datetime({ offset: true }).nullable(),
  /** Why the instance wants to wake at `nextWakeAt` (for logs and metrics). */
  nextWakeReason: z.string().nullable().optional(),
  /**
   * SHA-256 (hex) of `webhookKeyMaterial` for every enabled webhook trigger of
   * every enabled flow: the gateway answers keyless webhooks from these while
   * the instance is stopped. Absent from instances older than this field.
   */
  /** Top-level executions holding a slot of `maxConcurrentExecutions` (RUNNING, PAUSED, KILLING): the admin API shows them. */
  runningExecutions: z.number().int().min(0).optional(),
  /** Executions waiting QUEUED (a flow's `concurrency` or the tenant's `maxConcurrentExecutions`). */
  queuedExecutions: z.number().int().min(0).optional(),
  /** What the data folder takes on disk (when a storage quota is set): the admin API shows it. */
  storageUsedBytes: z.number().int().min(0).optional(),
  webhookKeys: z
    .array(z.string().regex(/^[0-9a-f]{64}$/))
    .max(MAX_WEBHOOK_KEYS)
    .optional(),
});
export type LifecycleReport = z.infer<typeof LifecycleReportSchema>;
