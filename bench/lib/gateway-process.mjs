import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Scope, scopes, sweepLeftovers } from './cleanup.mjs';
import { jsonRequest, timedRequest } from './http.mjs';
import { pool } from './stats.mjs';

const CHILD = fileURLToPath(new URL('../servers/gateway-child.mjs', import.meta.url));

/**
 * Starts a gateway in its own process (bench/servers/gateway-child.mjs) on a
 * free port and returns a small client for its admin API and metrics. The
 * gateway belongs to `scope` (default: the scope of the calling section,
 * `cleanup.mjs`), which closes it (`gw.close()`) when the section ends however
 * it ends; in a closed scope nothing starts.
 */
export async function startGateway({
  scope = scopes.current(),
  dataDir,
  runtime = 'process',
  baselineImage,
  maxRunning,
  logLevel,
  pauseAfter,
  startConcurrency,
  startTimeout,
  dockerThaw,
}) {
  if (scope?.closed) throw new Error(`section "${scope.name}" is over: no new gateway`);
  mkdirSync(dataDir, { recursive: true });
  const adminToken = randomBytes(24).toString('base64url');
  const logFile = join(dataDir, 'gateway.log');
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean), CHILD],
    {
      env: {
        ...process.env,
        BENCH_GATEWAY: JSON.stringify({
          dataDir,
          runtime,
          adminToken,
          logFile,
          baselineImage,
          maxRunning,
          logLevel,
          pauseAfter,
          startConcurrency,
          startTimeout,
          dockerThaw,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c) => {
    stderr = (stderr + c).slice(-4000);
  });
  const listening = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`gateway did not listen within 60 s: ${stderr}`)),
      60_000,
    );
    child.stdout.on('data', (c) => {
      out += c;
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited ${code}: ${stderr || readLog(logFile)}`));
    });
  });
  const ready = await listening.catch((err) => {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw err;
  });
  const admin = { authorization: `Bearer ${adminToken}` };
  const gw = {
    url: ready.url,
    pid: ready.pid,
    dataDir,
    logFile,
    runtime,
    child,
    /** Tenant ids created through this client (for cleanup). */
    created: [],
    admin: (method, path, body) => {
      if (method === 'POST' && path === '/tenants' && body?.id) gw.created.push(body.id);
      return jsonRequest(`${ready.url}/admin/v1${path}`, { method, headers: admin, body });
    },
    /** Creates a tenant and one key; returns the key. */
    async createTenant(id) {
      await gw.admin('POST', '/tenants', { id });
      const key = await gw.admin('POST', `/tenants/${id}/keys`, { name: 'bench' });
      return key.key;
    },
    stopTenant: (id) => gw.admin('POST', `/tenants/${id}/stop`),
    startTenant: (id) => gw.admin('POST', `/tenants/${id}/start`),
    tenant: (id) => gw.admin('GET', `/tenants/${id}`),
    async metrics() {
      const res = await timedRequest(`${ready.url}/metrics`, { headers: admin, timeoutMs: 10_000 });
      if (res.status !== 200) throw new Error(`/metrics answered ${res.status || res.error}`);
      return parseMetrics(res.body);
    },
    /** SIGTERM (the gateway stops its instances), SIGKILL after `graceMs`. */
    async stop(graceMs = 60_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    /**
     * Removes everything: with Docker, purges the tenants this client created
     * (container, volume, network; 8 at a time, bounded); stops the gateway
     * (it stops its instances; killed after 45 s); then sweeps what survived
     * (`sweepLeftovers`). Idempotent; `gw.leftovers` is what the sweep found.
     */
    /** The way out when `close` overruns: SIGKILL the gateway, then the sweep alone. */
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      gw.leftovers = await sweepLeftovers(gw);
      return gw.leftovers;
    },
    close() {
      closing ??= (async () => {
        if (runtime === 'docker' && child.exitCode === null) {
          const purge = pool(gw.created.length, 8, (i) =>
            jsonRequest(`${ready.url}/admin/v1/tenants/${gw.created[i]}?purge=true`, {
              method: 'DELETE',
              headers: admin,
              timeoutMs: 30_000,
            }).catch(() => undefined),
          );
          await Promise.race([purge, new Promise((r) => setTimeout(r, 90_000).unref())]);
        }
        await gw.stop(45_000);
        gw.leftovers = await sweepLeftovers(gw);
        return gw.leftovers;
      })();
      return closing;
    },
  };
  let closing;
  if (!(scope instanceof Scope)) return gw;
  try {
    scope.add(
      () => gw.close(),
      () => gw.kill(),
    );
  } catch (err) {
    await gw.close();
    throw err;
  }
  return gw;
}

function readLog(file) {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}

/** Prometheus text → Map("name{labels}" → value). */
export function parseMetrics(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m) out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

/** Sum of all series of `name` whose labels include every `labels` pair. */
export function metricSum(metrics, name, labels = {}) {
  let total = 0;
  for (const [key, value] of metrics) {
    const brace = key.indexOf('{');
    const base = brace < 0 ? key : key.slice(0, brace);
    if (base !== name) continue;
    const ok = Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`));
    if (ok) total += value;
  }
  return total;
}

/** The process driver's record of a running instance: pid, port, token. */
export function processInstance(dataDir, tenantId) {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'tenants', tenantId, 'instance.json'), 'utf8'));
  } catch {
    return undefined;
  }
}
