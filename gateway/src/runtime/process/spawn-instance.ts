import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { StartRequest } from '../runtime-driver.js';
import type { InstanceRecord } from './instance-record.js';
import { DRIVER_ID_ENV } from './instance-scan.js';
import { SANDBOX_DATA, SANDBOX_SOCKET, type SandboxSupport, sandboxArgs } from './sandbox.js';

/** Environment variables of the gateway that an instance inherits; nothing else leaks (no admin token). */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TZ', 'NODE_ENV', 'TMPDIR'] as const;

export type SpawnSpec = {
  request: StartRequest;
  /** Written before the spawn; says where the instance listens and, when sandboxed, as which uid. */
  record: InstanceRecord;
  /** The tenant's folder (`data/`, `run/`, `instance.log` in it). */
  dir: string;
  command: readonly string[];
  support: SandboxSupport;
  appPaths: readonly string[];
  driverId: string;
  /** Extra environment (tests). */
  env: Record<string, string>;
};

/**
 * Spawns one instance, detached, its output appended to `instance.log`:
 * inside its sandbox as its uid when `support.ok`, else as a plain child.
 * Secrets go on its stdin (never in its environment or argv).
 *
 * @example
 * const child = spawnInstance({ request, record, dir, command, support, appPaths, driverId, env: {} });
 */
export function spawnInstance(spec: SpawnSpec): ChildProcess {
  const { request, record, dir, support } = spec;
  const [program, ...args] = spec.command;
  if (program === undefined) throw new Error('process driver: empty command');
  const dataDir = join(dir, 'data');
  const withSecrets = request.secrets !== undefined && Object.keys(request.secrets).length > 0;
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, spec.env, {
    SILO_TENANT_ID: request.tenantId,
    SILO_PORT: String(record.port),
    SILO_HOST: record.host,
    SILO_DATA_DIR: support.ok ? SANDBOX_DATA : dataDir,
    SILO_INSTANCE_TOKEN: request.instanceToken,
    SILO_LOG_LEVEL: request.logLevel ?? 'info',
    SILO_SECRETS_FROM: withSecrets ? 'stdin' : 'none',
    ...(request.limits?.storageMb !== undefined ? { SILO_STORAGE_MB: String(request.limits.storageMb) } : {}),
    ...(request.limits?.maxConcurrentExecutions !== undefined
      ? { SILO_MAX_CONCURRENT_EXECUTIONS: String(request.limits.maxConcurrentExecutions) }
      : {}),
    ...(request.kestraVersion !== undefined ? { SILO_KESTRA_VERSION: request.kestraVersion } : {}),
    [DRIVER_ID_ENV]: spec.driverId,
  });
  if (record.socketPath !== undefined) env.SILO_SOCKET = support.ok ? SANDBOX_SOCKET : record.socketPath;
  if (support.ok) Object.assign(env, { HOME: '/tmp', TMPDIR: '/tmp' });
  const logFd = openSync(join(dir, 'instance.log'), 'a', 0o600);
  let child: ChildProcess;
  try {
    const stdio = [withSecrets ? 'pipe' : 'ignore', logFd, logFd] as const;
    child = support.ok
      ? spawn(
          support.bwrap,
          sandboxArgs({ appPaths: spec.appPaths, dataDir, runDir: join(dir, 'run') }, spec.command),
          { cwd: '/', env, uid: record.uid, gid: record.gid, detached: true, stdio: [...stdio] },
        )
      : spawn(program, args, { cwd: dir, env, detached: true, stdio: [...stdio] });
  } finally {
    closeSync(logFd);
  }
  if (withSecrets && child.stdin) {
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(request.secrets));
  }
  return child;
}
