import { hostname } from 'node:os';
import { LOG_LEVELS } from '@silo/contracts';
import { z } from 'zod';
import { duration, durationOrOff, int, onOff, size, token } from './config-values.js';
import { SCOPE_PATTERN } from './runtime/docker/scope.js';

export { parseSize } from './config-values.js';

/** One setting of the gateway, declared once: everything else (schema, type, env, flag, help) derives from it. */
export type Setting = {
  /** The environment variable. */
  env: `SILO_${string}`;
  /** Parses the variable's text (or the flag's, or `default`) into the typed value. */
  schema: z.ZodType;
  /** Written as a user would write it, parsed by `schema`; absent: the setting is optional. */
  default?: string;
  /** What the default is when it is not a plain value (help text only). */
  defaultHelp?: string;
  /**
   * The `silo serve` flag, named after the variable (`SILO_IDLE_TIMEOUT` → `--idle-timeout`):
   * a value placeholder such as `'<duration>'`, or `'switch'` for on/off settings
   * (`--no-demo` when the default is on). Absent: environment only (secrets stay out of `ps`).
   */
  flag?: `<${string}>` | 'switch';
  help: string;
};

/**
 * The gateway's settings (DESIGN.md, "The gateway's surface" and "Wave 2
 * surface"), one entry each. `loadGatewayConfig` reads them from the
 * environment, `cli/serve-options.ts` makes the `silo serve` flags and their
 * help from the same entries, and `GatewayConfig` is their parsed type.
 */
export const SETTINGS = {
  host: {
    env: 'SILO_HOST',
    schema: z.string().min(1),
    default: '127.0.0.1',
    flag: '<host>',
    help: 'listen address',
  },
  port: {
    env: 'SILO_PORT',
    schema: int(0, 65535),
    default: '8080',
    flag: '<port>',
    help: 'listen port (0: any free port)',
  },
  dataDir: {
    env: 'SILO_DATA_DIR',
    schema: z.string().min(1),
    default: '.silo',
    flag: '<dir>',
    help: 'registry, admin token, process-driver tenant folders',
  },
  runtime: {
    env: 'SILO_RUNTIME',
    schema: z.enum(['process', 'docker', 'swarm', 'auto']),
    default: 'auto',
    flag: '<runtime>',
    help: 'instance runtime (auto: docker when an engine answers, else process; swarm: the engine must be a swarm manager, never picked by auto)',
  },
  adminToken: {
    env: 'SILO_ADMIN_TOKEN',
    schema: token(),
    defaultHelp: 'generated at first start, saved 0600 in the data dir',
    help: 'bearer token of the admin API',
  },
  idleTimeoutMs: {
    env: 'SILO_IDLE_TIMEOUT',
    schema: duration(),
    default: '5m',
    flag: '<duration>',
    help: 'idle time before an instance is drained and stopped',
  },
  pauseAfterMs: {
    env: 'SILO_PAUSE_AFTER',
    schema: durationOrOff(),
    default: '30s',
    flag: '<duration>',
    help: 'idle time before an instance is paused (frozen: memory kept, no CPU, resumed in milliseconds by a request or a due wake) until the idle timeout stops it; off: no paused tier',
  },
  startTimeoutMs: {
    env: 'SILO_START_TIMEOUT',
    schema: duration(),
    default: '30s',
    flag: '<duration>',
    help: 'bound on how long held requests wait before 503, and on the boot of an instance counted from its turn at the start gate',
  },
  wakeLeadMs: {
    env: 'SILO_WAKE_LEAD',
    schema: duration(),
    default: '2s',
    flag: '<duration>',
    help: 'start a stopped tenant this long (up to twice this long, spread per tenant) before its next schedule, Sleep or Pause is due',
  },
  maxRunning: {
    env: 'SILO_MAX_RUNNING',
    schema: int(1),
    default: '100',
    flag: '<n>',
    help: 'cap on running instances (LRU eviction of idle ones)',
  },
  startConcurrency: {
    env: 'SILO_START_CONCURRENCY',
    schema: z.union([z.literal('auto'), int(0)]),
    default: 'auto',
    flag: '<n|auto>',
    help: 'cold starts in flight at once; the others wait their turn (many tenants woken in the same second boot a few at a time); 0: no bound; auto: sized by the measured start latency',
  },
  holdMax: {
    env: 'SILO_HOLD_MAX',
    schema: int(0),
    default: '1000',
    flag: '<n>',
    help: 'requests held per tenant during a cold start',
  },
  storageMb: {
    env: 'SILO_STORAGE_MB',
    schema: int(1),
    default: '1024',
    flag: '<mb>',
    help: 'storage quota of a tenant that sets no storageMb: its data (SQLite, files, logs, task files) past it is refused with 507',
  },
  bodyLimitBytes: {
    env: 'SILO_BODY_LIMIT',
    schema: size(),
    default: '100mb',
    flag: '<size>',
    help: 'largest request body proxied to an instance; larger: 413',
  },
  logLevel: {
    env: 'SILO_LOG_LEVEL',
    schema: z.enum(LOG_LEVELS),
    default: 'info',
    flag: '<level>',
    help: 'gateway log level (pino JSON on stdout)',
  },
  scope: {
    env: 'SILO_SCOPE',
    schema: z
      .string()
      .regex(
        SCOPE_PATTERN,
        'SILO_SCOPE: 1-32 lowercase letters, digits and inner hyphens (e.g. blue, ci-42)',
      ),
    default: 'default',
    flag: '<scope>',
    help: "Docker runtime: namespace of the containers, volumes and networks this gateway creates, so gateways sharing one engine never touch each other's (default keeps the names silo-<tenant>)",
  },
  dockerThaw: {
    env: 'SILO_DOCKER_THAW',
    schema: z.enum(['auto', 'api']),
    default: 'auto',
    flag: '<auto|api>',
    help: "Docker runtime: how a paused container is resumed (auto: a write to its cgroup freezer when the gateway can reach it, else the engine's unpause; api: always the engine's unpause)",
  },
  demo: {
    env: 'SILO_DEMO',
    schema: onOff(),
    default: '1',
    flag: 'switch',
    help: 'create the demo tenant on an empty registry at start (0 skips it)',
  },
  stopInstancesOnExit: {
    env: 'SILO_STOP_INSTANCES_ON_EXIT',
    schema: onOff(),
    default: '0',
    flag: 'switch',
    help: 'stop every instance when the gateway exits (default: keep them for the next gateway to adopt)',
  },
  metricsToken: {
    env: 'SILO_METRICS_TOKEN',
    schema: token(),
    defaultHelp: 'unset: only the admin token reads /metrics',
    help: 'a bearer token that reads GET /metrics (and nothing else)',
  },
  metricsPerTenant: {
    env: 'SILO_METRICS_PER_TENANT',
    schema: onOff(),
    default: '0',
    flag: 'switch',
    help: 'label metrics by tenant id (off: totals only, no tenant ids in /metrics)',
  },
  backupDir: {
    env: 'SILO_BACKUP_DIR',
    schema: z.string().min(1).optional(),
    defaultHelp: '<SILO_DATA_DIR>/backups',
    flag: '<dir>',
    help: 'backup target folder (tenant backups and their records)',
  },
  backupEvery: {
    env: 'SILO_BACKUP_EVERY',
    schema: z
      .string()
      .refine((t) => duration().safeParse(t).success, 'a duration, e.g. 6h or 1d')
      .optional(),
    defaultHelp: 'off',
    flag: '<duration>',
    help: 'scheduled backups of every tenant without its own schedule (e.g. 1d)',
  },
  backupKeep: {
    env: 'SILO_BACKUP_KEEP',
    schema: int(1),
    default: '7',
    flag: '<n>',
    help: 'scheduled backups kept per tenant (older ones are pruned)',
  },
  allowUnisolated: {
    env: 'SILO_ALLOW_UNISOLATED',
    schema: onOff(),
    default: '0',
    flag: 'switch',
    help: 'process runtime without a sandbox (no root or no bubblewrap): 1 accepts hosting several tenants unisolated',
  },
  registry: {
    env: 'SILO_REGISTRY',
    schema: z
      .string()
      .regex(
        /^postgres(ql)?:\/\/\S+$/,
        'SILO_REGISTRY: a postgres:// URL, or unset for SQLite in SILO_DATA_DIR',
      )
      .optional(),
    defaultHelp: 'unset: SQLite in SILO_DATA_DIR',
    help: 'shared registry of a fleet of gateways: a postgres:// URL (environment only: it may hold a password)',
  },
  gatewayId: {
    env: 'SILO_GATEWAY_ID',
    schema: z
      .string()
      .regex(/^[\w.:-]{1,128}$/, 'SILO_GATEWAY_ID: 1-128 letters, digits, ".", ":", "_" or "-"')
      .optional(),
    defaultHelp: 'host name + port',
    flag: '<id>',
    help: "this gateway's name in a fleet (start leases, logs)",
  },
} as const satisfies Record<string, Setting>;

type Settings = typeof SETTINGS;

/** The gateway's settings, typed: one field per `SETTINGS` entry. */
export type GatewayConfig = { -readonly [K in keyof Settings]: z.output<Settings[K]['schema']> };

/** The zod schema of the environment, by variable name (absent or empty → the declared default). */
export const GatewayEnvSchema = z.object(
  Object.fromEntries(
    Object.values(SETTINGS).map((s: Setting) => [
      s.env,
      z.preprocess((v) => (v === undefined || v === '' ? s.default : v), s.schema),
    ]),
  ),
);

/**
 * Validates the environment, with `overrides` (from flags, by variable name)
 * taking precedence, and returns the typed config or throws one message that
 * names every wrong variable.
 *
 * @example
 * const config = loadGatewayConfig(process.env, { SILO_PORT: '9090' });
 */
export function loadGatewayConfig(
  env: Record<string, string | undefined>,
  overrides: Record<string, string | undefined> = {},
): GatewayConfig {
  const merged: Record<string, string | undefined> = {};
  for (const { env: name } of Object.values(SETTINGS)) {
    const value = overrides[name] ?? env[name];
    if (value !== undefined && value !== '') merged[name] = value;
  }
  const parsed = GatewayEnvSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid gateway settings:\n${lines.join('\n')}`);
  }
  const byEnv = parsed.data as Record<string, unknown>;
  const config = Object.fromEntries(
    Object.entries(SETTINGS).map(([key, s]) => [key, byEnv[s.env]]),
  ) as GatewayConfig;
  config.gatewayId ??= `${hostname()}:${config.port}`;
  return config;
}
