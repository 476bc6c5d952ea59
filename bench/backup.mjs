#!/usr/bin/env node
// Backup and restore of one tenant with many executions (issue 16):
// `node bench/backup.mjs [--executions=10000]` after `npm run build`.
// Starts a gateway in its own process (process runtime, real orchestrator),
// fills one tenant with N finished executions (each with a log line), then
// times an online backup (instance running), an offline backup (stopped),
// a restore (stop, replace, start, verify) and an export, and prints sizes.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, loadGatewayConfig } from '@silo/gateway';

const n = Number(
  process.argv
    .slice(2)
    .find((a) => a.startsWith('--executions='))
    ?.slice(13) ?? 10_000,
);
const dataDir = mkdtempSync(join(tmpdir(), 'silo-bench-backup-'));
const log = (line) => process.stdout.write(`${line}\n`);
// In this process (instances are child processes all the same): the bench's
// gateway child wraps its driver for baselines, which operations do not know.
const gateway = await createGateway({
  config: loadGatewayConfig({
    SILO_PORT: '0',
    SILO_DATA_DIR: dataDir,
    SILO_RUNTIME: 'process',
    SILO_LOG_LEVEL: 'warn',
    SILO_IDLE_TIMEOUT: '1h',
  }),
});
const url = await gateway.listen();
const admin = async (method, path, body) => {
  const res = await fetch(`${url}/admin/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${gateway.adminToken}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15 * 60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
};
const gw = {
  url,
  admin,
  createTenant: async (id) => {
    await admin('POST', '/tenants', { id });
    return (await admin('POST', `/tenants/${id}/keys`, {})).key;
  },
  stopTenant: (id) => admin('POST', `/tenants/${id}/stop`),
  startTenant: (id) => admin('POST', `/tenants/${id}/start`),
  stop: () => gateway.close({ stopInstances: true }),
};
const FLOW = `id: tick
namespace: bench
tasks:
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: tick {{ execution.id }}
`;

try {
  const key = await gw.createTenant('bulk');
  const api = (method, path, body, type = 'application/json') =>
    fetch(`${gw.url}/api/v1/bulk${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': type } : {}) },
      body,
      signal: AbortSignal.timeout(60_000),
    });
  const deployed = await api('POST', '/flows', FLOW, 'application/x-yaml');
  if (deployed.status >= 300) throw new Error(`deploy: ${deployed.status} ${await deployed.text()}`);

  const t = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      // Filling is not what is measured: a 502/503 under load is retried (bounded).
      for (let attempt = 1; ; attempt++) {
        const res = await api('POST', '/executions/bench/tick');
        const text = await res.text();
        if (res.status < 300) break;
        if (attempt >= 5 || (res.status !== 502 && res.status !== 503))
          throw new Error(`execution: ${res.status} ${text}`);
        log(`retrying after ${res.status}: ${text.slice(0, 120)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const res = await api('GET', '/executions/search?size=1&state=SUCCESS');
    const { total } = await res.json();
    if (total >= n) break;
    if (Date.now() > deadline) throw new Error(`only ${total} of ${n} executions finished in 15 min`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  log(`filled: ${n} executions finished in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const timed = async (what, fn) => {
    const t0 = Date.now();
    const value = await fn();
    const ms = Date.now() - t0;
    log(`${what}: ${ms} ms${value?.sizeBytes ? `, ${(value.sizeBytes / 1024 / 1024).toFixed(2)} MiB` : ''}`);
    return { ms, value };
  };
  const online = await timed('backup (online, instance running)', () =>
    gw.admin('POST', '/tenants/bulk/backups'),
  );
  await gw.stopTenant('bulk');
  const offline = await timed('backup (offline, stopped, not started)', () =>
    gw.admin('POST', '/tenants/bulk/backups'),
  );
  await gw.startTenant('bulk');
  const restore = await timed('restore (stop, replace, start, verify)', () =>
    gw.admin('POST', '/tenants/bulk/restore', { backupId: online.value.id }),
  );
  const db = statSync(join(dataDir, 'tenants', 'bulk', 'data', 'silo.db')).size;
  log(
    JSON.stringify({
      executions: n,
      databaseBytes: db,
      archiveBytes: online.value.sizeBytes,
      onlineBackupMs: online.ms,
      offlineBackupMs: offline.ms,
      restoreMs: restore.ms,
    }),
  );
} finally {
  await gw.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
