import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, type Gateway, loadGatewayConfig } from '@silo/gateway';

/** The stub instance (test/helpers/stub-instance.mjs) as a process-driver command. */
export const STUB_COMMAND = [
  process.execPath,
  fileURLToPath(new URL('./stub-instance.mjs', import.meta.url)),
];

export type TestGateway = {
  gateway: Gateway;
  url: string;
  dataDir: string;
  /** Calls the admin API; throws on a non-2xx answer unless `expectStatus` matches. */
  admin: <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;
  /**
   * Creates a tenant and returns a key of it. Kestra 2.0 unless told (the
   * gateway's default); tests that use 1.3-only constructs say `kestraVersion: '1.3'`.
   */
  tenant: (id: string, options?: { kestraVersion?: '1.3' | '2.0' }) => Promise<string>;
  /** The Prometheus text of `GET /metrics` (read with the admin token). */
  metrics: () => Promise<string>;
  /** Closes the gateway; `stopInstances` (default true) stops what it started; `keepData` keeps the folder. */
  stop: (options?: { stopInstances?: boolean; keepData?: boolean }) => Promise<void>;
};

export type TestGatewayOptions = {
  /** Reuse a data folder (gateway restart). */
  dataDir?: string;
  /** `stub` (default) or `orchestrator` (packages/orchestrator/dist/main.js). */
  instance?: 'stub' | 'orchestrator';
  env?: Record<string, string>;
  /** Extra arguments of the stub: `--ready-delay=ms`, `--crash`. */
  stubArgs?: string[];
  drainMs?: number;
  reportIntervalMs?: number;
};

/**
 * Boots `createGateway()` in process with the process driver on a free port of
 * 127.0.0.1, a temp data folder, quiet logs.
 *
 * @example
 * const t = await startTestGateway({ env: { SILO_IDLE_TIMEOUT: '500ms' } });
 * try { ... } finally { await t.stop(); }
 */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'silo-e2e-'));
  const config = loadGatewayConfig({
    SILO_HOST: '127.0.0.1',
    SILO_PORT: '0',
    SILO_DATA_DIR: dataDir,
    SILO_RUNTIME: 'process',
    SILO_ADMIN_TOKEN: 'test-admin-token-0123456789',
    SILO_LOG_LEVEL: process.env.SILO_TEST_LOG ?? 'silent',
    // Tests run several tenants at once; where the machine cannot sandbox them (a laptop without root), allow it.
    SILO_ALLOW_UNISOLATED: '1',
    ...options.env,
  });
  const gateway = await createGateway({
    config,
    ...(options.instance === 'orchestrator'
      ? {}
      : { processCommand: [...STUB_COMMAND, ...(options.stubArgs ?? [])] }),
    stopGraceMs: 5_000,
    instanceLogLevel: 'info',
    ...(options.drainMs !== undefined ? { drainMs: options.drainMs } : {}),
    ...(options.reportIntervalMs !== undefined ? { reportIntervalMs: options.reportIntervalMs } : {}),
  });
  const url = await gateway.listen();
  const admin = adminClient(url, gateway.adminToken);
  return {
    gateway,
    url,
    dataDir,
    admin,
    tenant: (id, o) => tenantWithKey(admin, id, undefined, o?.kestraVersion),
    metrics: () => scrapeMetrics(url, gateway.adminToken),
    stop: async ({ stopInstances = true, keepData = false } = {}) => {
      await gateway.close({ stopInstances });
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type AdminCall = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

/** A caller of a gateway's admin API: JSON in and out, throws on a non-2xx answer, each call bounded to 60 s. */
export function adminClient(url: string, adminToken: string): AdminCall {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** The Prometheus text of a gateway's `GET /metrics`, read with `token` (admin or SILO_METRICS_TOKEN); throws on a non-200. */
export async function scrapeMetrics(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /metrics → ${res.status} ${text}`);
  return text;
}

/** Creates a tenant (with optional limits and Kestra dialect) through the admin API and returns a new key of it. */
export async function tenantWithKey(
  admin: AdminCall,
  id: string,
  limits?: Record<string, number>,
  kestraVersion?: '1.3' | '2.0',
): Promise<string> {
  await admin('POST', '/admin/v1/tenants', {
    id,
    ...(limits ? { limits } : {}),
    ...(kestraVersion ? { kestraVersion } : {}),
  });
  return (await admin<{ key: string }>('POST', `/admin/v1/tenants/${id}/keys`, { name: 'test' })).key;
}

/** Polls `check` every 10 ms until it returns a truthy value or `timeoutMs` passes (then throws `what`). */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** True when a process with this pid exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
