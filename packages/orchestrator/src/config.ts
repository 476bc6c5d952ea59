import { type InstanceEnv, InstanceEnvSchema, type KestraVersion } from '@silo/contracts';

/** The instance's settings, read from the environment once, in `main.ts`. */
export type OrchestratorConfig = {
  tenantId: string;
  port: number;
  host: string;
  /** Unix socket path to listen on instead of `host:port` (`SILO_SOCKET`). */
  socketPath: string | undefined;
  dataDir: string;
  instanceToken: string | undefined;
  logLevel: InstanceEnv['SILO_LOG_LEVEL'];
  shutdownGraceMs: number;
  secretsFrom: InstanceEnv['SILO_SECRETS_FROM'];
  /** Task attempts running at once (`SILO_WORKER_CONCURRENCY`). @default 16 */
  workerConcurrency: number;
  /** Worker job lease in ms (`SILO_JOB_LEASE_MS`). @default 60000 */
  jobLeaseMs: number;
  /** Executor events per committed batch (`SILO_EXECUTOR_BATCH_SIZE`). @default 256 */
  executorBatchSize: number;
  /** Largest accepted request body in bytes (`SILO_MAX_BODY_BYTES`). @default 104857600 */
  maxBodyBytes: number;
  /** Storage quota in MB (`SILO_STORAGE_MB`); undefined: none. */
  storageMb?: number;
  /** Executions holding a slot at once in the whole instance (`SILO_MAX_CONCURRENT_EXECUTIONS`); undefined: none. */
  maxConcurrentExecutions?: number;
  /** The Kestra dialect this instance speaks (`SILO_KESTRA_VERSION`). @default "1.3" */
  kestraVersion: KestraVersion;
};

/**
 * Validates `env` (normally `process.env`) and returns the typed config, or
 * throws one message that names every variable that is wrong.
 */
export function loadConfig(env: Record<string, string | undefined>): OrchestratorConfig {
  const parsed = InstanceEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid instance environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    tenantId: e.SILO_TENANT_ID,
    port: e.SILO_PORT,
    host: e.SILO_HOST,
    socketPath: e.SILO_SOCKET,
    dataDir: e.SILO_DATA_DIR,
    instanceToken: e.SILO_INSTANCE_TOKEN,
    logLevel: e.SILO_LOG_LEVEL,
    shutdownGraceMs: e.SILO_SHUTDOWN_GRACE_MS,
    secretsFrom: e.SILO_SECRETS_FROM,
    workerConcurrency: e.SILO_WORKER_CONCURRENCY,
    jobLeaseMs: e.SILO_JOB_LEASE_MS,
    executorBatchSize: e.SILO_EXECUTOR_BATCH_SIZE,
    maxBodyBytes: e.SILO_MAX_BODY_BYTES,
    kestraVersion: e.SILO_KESTRA_VERSION,
    ...(e.SILO_STORAGE_MB !== undefined ? { storageMb: e.SILO_STORAGE_MB } : {}),
    ...(e.SILO_MAX_CONCURRENT_EXECUTIONS !== undefined
      ? { maxConcurrentExecutions: e.SILO_MAX_CONCURRENT_EXECUTIONS }
      : {}),
  };
}
