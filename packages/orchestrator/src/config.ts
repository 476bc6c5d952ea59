import { type InstanceEnv, InstanceEnvSchema } from '@silo/contracts';

/** The instance's settings, read from the environment once, in `main.ts`. */
export type OrchestratorConfig = {
  tenantId: string;
  port: number;
  host: string;
  dataDir: string;
  instanceToken: string | undefined;
  logLevel: InstanceEnv['SILO_LOG_LEVEL'];
  shutdownGraceMs: number;
  secretsFrom: InstanceEnv['SILO_SECRETS_FROM'];
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
    dataDir: e.SILO_DATA_DIR,
    instanceToken: e.SILO_INSTANCE_TOKEN,
    logLevel: e.SILO_LOG_LEVEL,
    shutdownGraceMs: e.SILO_SHUTDOWN_GRACE_MS,
    secretsFrom: e.SILO_SECRETS_FROM,
  };
}
