import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Endpoint } from '../runtime-driver.js';
import type { FoundInstance } from './instance-scan.js';
import { SANDBOX_SOCKET } from './sandbox.js';

/**
 * What the driver persists in `tenants/<id>/instance.json` (0600, in a 0700
 * folder of the gateway's uid), so a restarted gateway can adopt the instance.
 * Written BEFORE the spawn without `pid` (issue 19: a gateway killed between
 * spawn and record left an instance nobody knew of), then again with it.
 */
export type InstanceRecord = {
  /** The instance process (inside a sandbox: its host pid). Absent while spawning. */
  pid?: number;
  /** TCP port, or 0 when the instance listens on `socketPath`. */
  port: number;
  host: string;
  /** Host path of the instance's unix socket. */
  socketPath?: string;
  instanceToken: string;
  startedAt: string;
  /** argv[1] of the instance: checked against `/proc/<pid>/cmdline` so a recycled pid is never adopted. */
  entry: string;
  /** The uid and gid it runs as, when sandboxed. */
  uid?: number;
  gid?: number;
};

export async function readRecord(dir: string): Promise<InstanceRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'instance.json'), 'utf8')) as InstanceRecord;
  } catch {
    return undefined;
  }
}

/** Atomic (write + rename): a gateway killed mid-write leaves the old record or the new one, never half. */
export async function writeRecord(dir: string, record: InstanceRecord): Promise<void> {
  const tmp = join(dir, `instance.json.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
  await rename(tmp, join(dir, 'instance.json'));
}

export function endpointOf(record: InstanceRecord): Endpoint {
  if (record.socketPath !== undefined) {
    return { url: 'http://localhost', host: 'localhost', port: 0, socketPath: record.socketPath };
  }
  return { url: `http://${record.host}:${record.port}`, host: record.host, port: record.port };
}

/** The last `tail` lines of a log file (reads at most its last MiB). */
export async function tailLines(path: string, tail: number): Promise<string> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (handle === undefined) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 1024 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-tail).join('\n');
  } finally {
    await handle.close();
  }
}

/**
 * The record of an instance found running untracked (`scanInstances`), from
 * its own environment: its token and where it listens (a sandboxed one's
 * socket is `hostSocket`, the host side of its `/run/silo/instance.sock`).
 */
export function recordOfFound(
  stale: InstanceRecord,
  found: FoundInstance,
  hostSocket: string,
): InstanceRecord | undefined {
  if (found.instanceToken === undefined) return undefined;
  const socket = found.env.SILO_SOCKET;
  const { socketPath: _, ...rest } = stale;
  return {
    ...rest,
    pid: found.pid,
    instanceToken: found.instanceToken,
    port: socket ? 0 : Number(found.env.SILO_PORT),
    host: found.env.SILO_HOST ?? '127.0.0.1',
    ...(socket ? { socketPath: socket === SANDBOX_SOCKET ? hostSocket : socket } : {}),
  };
}
