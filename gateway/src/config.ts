import { hostname } from 'node:os';
import { LOG_LEVELS, parseShortDuration } from '@silo/contracts';
import { z } from 'zod';
import { SCOPE_PATTERN } from './runtime/docker/scope.js';

const duration = (name: string) =>
  z.string().transform((text, ctx) => {
    try {
      const ms = parseShortDuration(text);
      if (ms <= 0) throw new Error(`${name} must be greater than 0`);
      return ms;
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * Parses `512kb`, `100mb`, `1gb` or a bare number of bytes.
 *
 * @example
 * parseSize('100mb'); // 104857600
 */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!match) throw new Error(`invalid size "${text}": use bytes or a unit, e.g. 512kb, 100mb, 1gb`);
  return Math.round(Number(match[1]) * (SIZE_UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1));
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/**
 * The gateway's environment (DESIGN.md, "The gateway's surface"). Read once, in
 * `main.ts`; flags of `silo serve` override single variables by name.
 * `SILO_BODY_LIMIT` and `SILO_LOG_LEVEL` extend the DESIGN.md table.
 */
export const GatewayEnvSchema = z.object({
  /** @default 127.0.0.1 */
  SILO_HOST: z.string().min(1).default('127.0.0.1'),
  /** @default 8080 */
  SILO_PORT: int(0, 65535).default(8080),
  /** Registry, admin token, process-driver tenant folders. @default .silo */
  SILO_DATA_DIR: z.string().min(1).default('.silo'),
  /** @default auto (docker when an engine answers, else process) */
  SILO_RUNTIME: z.enum(['process', 'docker', 'auto']).default('auto'),
  /** Bearer token of the admin API. @default generated at first start, saved 0600 in the data dir */
  SILO_ADMIN_TOKEN: z.string().min(16, 'SILO_ADMIN_TOKEN must be at least 16 characters').optional(),
  /** @default 5m */
  SILO_IDLE_TIMEOUT: duration('SILO_IDLE_TIMEOUT').default(300_000),
  /** @default 30s */
  SILO_START_TIMEOUT: duration('SILO_START_TIMEOUT').default(30_000),
  /** How long before an instance's `nextWakeAt` a stopped instance is started, so that its schedule fires on time. @default 2s */
  SILO_WAKE_LEAD: duration('SILO_WAKE_LEAD').default(2_000),
  /** @default 100 */
  SILO_MAX_RUNNING: int(1).default(100),
  /** @default 1000 */
  SILO_HOLD_MAX: int(0).default(1000),
  /** Largest request body proxied to an instance; larger → 413. @default 100mb (the instance's own default) */
  SILO_BODY_LIMIT: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseSize(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .default(100 * 1024 ** 2),
  /** @default info */
  SILO_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Namespace of the containers, volumes and networks this gateway creates in a shared engine. @default default (today's names) */
  SILO_SCOPE: z
    .string()
    .regex(SCOPE_PATTERN, '1-32 lowercase letters, digits and inner hyphens (e.g. blue, ci-42)')
    .default('default'),
  /** Shared registry of a fleet of gateways (issue 17). @default unset: SQLite in SILO_DATA_DIR */
  SILO_REGISTRY: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'a postgres:// URL, or unset for SQLite in SILO_DATA_DIR')
    .optional(),
  /** This gateway's name in a fleet (leases, logs). @default host name + port */
  SILO_GATEWAY_ID: z
    .string()
    .regex(/^[\w.:-]{1,128}$/, '1-128 letters, digits, ".", ":", "_" or "-"')
    .optional(),
});

/** The gateway's settings, typed. */
export type GatewayConfig = {
  host: string;
  port: number;
  dataDir: string;
  runtime: 'process' | 'docker' | 'auto';
  /** Undefined: read from or generated into `<dataDir>/admin-token`. */
  adminToken: string | undefined;
  idleTimeoutMs: number;
  startTimeoutMs: number;
  wakeLeadMs: number;
  maxRunning: number;
  holdMax: number;
  bodyLimitBytes: number;
  logLevel: (typeof LOG_LEVELS)[number];
  scope: string;
  /** A `postgres://` URL; undefined: SQLite in `dataDir`. */
  registry?: string | undefined;
  /** @default `${hostname()}:${port}` */
  gatewayId?: string;
};

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
  for (const key of Object.keys(GatewayEnvSchema.shape)) {
    const value = overrides[key] ?? env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const parsed = GatewayEnvSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid gateway settings:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    host: e.SILO_HOST,
    port: e.SILO_PORT,
    dataDir: e.SILO_DATA_DIR,
    runtime: e.SILO_RUNTIME,
    adminToken: e.SILO_ADMIN_TOKEN,
    idleTimeoutMs: e.SILO_IDLE_TIMEOUT,
    startTimeoutMs: e.SILO_START_TIMEOUT,
    wakeLeadMs: e.SILO_WAKE_LEAD,
    maxRunning: e.SILO_MAX_RUNNING,
    holdMax: e.SILO_HOLD_MAX,
    bodyLimitBytes: e.SILO_BODY_LIMIT,
    logLevel: e.SILO_LOG_LEVEL,
    scope: e.SILO_SCOPE,
    registry: e.SILO_REGISTRY,
    gatewayId: e.SILO_GATEWAY_ID ?? `${hostname()}:${e.SILO_PORT}`,
  };
}
