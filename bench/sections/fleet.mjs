import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timedRequest } from '../lib/http.mjs';
import { freePort } from '../lib/proxies.mjs';
import { summary } from '../lib/stats.mjs';

const MAIN = fileURLToPath(new URL('../../gateway/dist/main.js', import.meta.url));
const ADMIN = 'bench-fleet-admin-token-0123456789';

/** A gateway process (process runtime) on the shared registry and data dir. */
async function fleetGateway(id, registry, dataDir) {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, 'serve', '--no-demo'], {
    env: {
      ...process.env,
      SILO_HOST: '127.0.0.1',
      SILO_PORT: String(port),
      SILO_DATA_DIR: dataDir,
      SILO_RUNTIME: 'process',
      SILO_ADMIN_TOKEN: ADMIN,
      SILO_REGISTRY: registry,
      SILO_GATEWAY_ID: id,
      SILO_LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if ((await timedRequest(`${url}/healthz`, { timeoutMs: 1_000 })).status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const admin = async (method, path, body) => {
    const res = await fetch(`${url}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const starts = async () => {
    // /metrics needs the admin token (a 401's body would count 0 starts).
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
    if (!res.ok) throw new Error(`GET /metrics → ${res.status} ${await res.text()}`);
    const text = await res.text();
    let n = 0;
    for (const m of text.matchAll(/^silo_cold_starts_total\{[^}]*outcome="ready"[^}]*\} (\d+)/gm))
      n += Number(m[1]);
    return n;
  };
  return { id, url, child, admin, starts };
}

/**
 * Pids of the live instance processes of each tenant under `dataDir` (by the
 * SILO_TENANT_ID and SILO_DATA_DIR in their environment; root reads every
 * /proc/<pid>/environ), so instances of other runs are not counted.
 */
function instancesByTenant(dataDir) {
  const counts = {};
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let env;
    try {
      env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    const m = /(?:^|\0)SILO_TENANT_ID=([^\0]+)/.exec(env);
    if (!env.includes(`\0SILO_DATA_DIR=${dataDir}/`)) continue;
    if (m) counts[m[1]] = [...(counts[m[1]] ?? []), Number(pid)];
  }
  return counts;
}

/** µs per authorizeTenantRequest over the keys (each key once, in order). */
async function lookupMicros(registry, keys) {
  const { authorizeTenantRequest, parseTenantPath } = await import('@silo/gateway');
  const t0 = performance.now();
  for (const k of keys) {
    try {
      await authorizeTenantRequest(
        registry,
        parseTenantPath(`/api/v1/${k.id}/flows/search`),
        `Bearer ${k.key}`,
      );
    } catch (err) {
      if (err.code !== 'TENANT_SUSPENDED') throw err;
    }
  }
  return ((performance.now() - t0) * 1000) / keys.length;
}

/**
 * (7) Several gateways on one PostgreSQL registry (issue 17): a herd split
 * over two gateways, route lookups with 10,000 tenants on PostgreSQL
 * (cached vs uncached), and a gateway SIGKILLed during 20 cold starts.
 */
export async function fleet(ctx) {
  const { findPostgresBin, startThrowawayCluster } = await import('@silo/gateway/testing/postgres');
  const { openPostgresRegistry } = await import('@silo/gateway');
  if (findPostgresBin() === undefined)
    throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const cluster = await startThrowawayCluster();
  const gateways = [];
  try {
    const rows = [];
    // Route lookups: 10,000 suspended tenants with a key each; a lookup ends in 403 before any instance.
    const count = ctx.quick ? 2_000 : 10_000;
    const lookupUrl = await cluster.createDatabase('fleet_lookup');
    const registry = await openPostgresRegistry(lookupUrl, { poolSize: 8 });
    const keys = [];
    const t0 = performance.now();
    for (let i = 0; i < count; i += 8) {
      const batch = Array.from(
        { length: Math.min(8, count - i) },
        (_, j) => `t-${String(i + j).padStart(5, '0')}`,
      );
      await Promise.all(
        batch.map(async (id) => {
          await registry.tenants.create({ id });
          keys.push({ id, key: (await registry.keys.create(id, 'bench')).key });
          await registry.tenants.setState(id, 'suspended', 'benchmark');
        }),
      );
    }
    ctx.log(`  fleet: ${count} tenants filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const sample = keys.filter((_, i) => i % Math.max(1, Math.floor(count / 2_000)) === 0);
    const uncached = await lookupMicros(registry, sample);
    const cached = await lookupMicros(registry, sample);
    await registry.close();
    ctx.log(`  fleet: lookup uncached ${uncached.toFixed(0)} µs, cached ${cached.toFixed(1)} µs`);
    rows.push(
      {
        figure: `fleet: route lookup, ${count} tenants on PostgreSQL, uncached`,
        value: uncached,
        unit: 'µs',
        target: '',
        met: true,
      },
      {
        figure: `fleet: route lookup, ${count} tenants on PostgreSQL, cached`,
        value: cached,
        baseline: uncached,
        unit: 'µs',
        target: 'no round trip',
        met: cached < uncached / 5,
      },
    );

    // Herd 500 split over two gateways.
    const registryUrl = await cluster.createDatabase('fleet');
    const dataDir = join(ctx.tmp, 'fleet');
    mkdirSync(dataDir, { recursive: true });
    const [a, b] = await Promise.all([
      fleetGateway('bench-a', registryUrl, dataDir),
      fleetGateway('bench-b', registryUrl, dataDir),
    ]);
    gateways.push(a, b);
    await a.admin('POST', '/tenants', { id: 'herd' });
    const { key } = await a.admin('POST', '/tenants/herd/keys', {});
    const herd = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        timedRequest(`${(i % 2 ? b : a).url}/api/v1/herd/flows/search`, {
          headers: { authorization: `Bearer ${key}` },
          timeoutMs: 90_000,
        }),
      ),
    );
    const herdStarts = (await a.starts()) + (await b.starts());
    const herdErrors = herd.filter((r) => r.status !== 200).length;
    ctx.log(`  fleet: herd 500 over 2 gateways → ${herdStarts} start(s), ${herdErrors} error(s)`);
    rows.push(
      {
        figure: 'fleet: herd 500 split over 2 gateways: starts',
        value: herdStarts,
        unit: '',
        target: '= 1',
        met: herdStarts === 1,
      },
      {
        figure: 'fleet: herd 500 split: errors, p50',
        value: herdErrors,
        unit: '',
        target: '= 0',
        met: herdErrors === 0,
        note: `p50 ${summary(herd.map((r) => r.totalMs)).p50?.toFixed(0)} ms`,
      },
    );
    await a.admin('POST', '/tenants/herd/stop');

    // A gateway SIGKILLed during 20 concurrent cold starts; the other serves the same tenants.
    const tenants = Array.from({ length: 20 }, (_, i) => `kill-${i}`);
    const tenantKeys = {};
    for (const id of tenants) {
      await a.admin('POST', '/tenants', { id });
      tenantKeys[id] = (await a.admin('POST', `/tenants/${id}/keys`, {})).key;
    }
    const request = (gw, id) =>
      timedRequest(`${gw.url}/api/v1/${id}/flows/search`, {
        headers: { authorization: `Bearer ${tenantKeys[id]}` },
        timeoutMs: 90_000,
      });
    const doomed = Promise.all(tenants.map((id) => request(a, id)));
    await new Promise((r) => setTimeout(r, 300));
    a.child.kill('SIGKILL');
    await doomed;
    const survivors = await Promise.all(tenants.map((id) => request(b, id)));
    const answered = survivors.filter((r) => r.status === 200 || r.status === 503).length;
    const twinList = Object.entries(instancesByTenant(dataDir)).filter(
      ([id, pids]) => tenants.includes(id) && pids.length > 1,
    );
    const twins = twinList.length;
    for (const [id, pids] of twinList) {
      const record = readFileSync(join(dataDir, 'tenants', id, 'instance.json'), 'utf8');
      ctx.log(`  fleet: twin ${id}: pids ${pids.join(', ')}; instance.json ${record}`);
      for (const pid of pids)
        ctx.log(`    ${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ')}`);
    }
    ctx.log(
      `  fleet: SIGKILL during 20 cold starts → ${twins} twin(s); ${answered}/20 answered 200 or 503 by the other`,
    );
    rows.push(
      {
        figure: 'fleet: gateway SIGKILLed during 20 cold starts: twins',
        value: twins,
        unit: '',
        target: '= 0',
        met: twins === 0,
      },
      {
        figure: 'fleet: … the other gateway answers (200 or 503)',
        value: answered,
        unit: '/20',
        target: '= 20',
        met: answered === 20,
        note: `p50 ${summary(survivors.map((r) => r.totalMs)).p50?.toFixed(0)} ms (lease TTL 10 s)`,
      },
    );
    for (const id of [...tenants, 'herd'])
      await b.admin('POST', `/tenants/${id}/stop`).catch(() => undefined);
    return rows;
  } finally {
    for (const gw of gateways) if (gw.child.exitCode === null) gw.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    // Instances the gateways left running (they keep their instances on exit), this run's only.
    for (const pids of Object.values(instancesByTenant(join(ctx.tmp, 'fleet'))))
      for (const pid of pids) process.kill(pid, 'SIGKILL');
    await cluster.stop();
  }
}
