import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway } from '../lib/gateway-process.mjs';
import { keepAlive, timedRequest } from '../lib/http.mjs';
import { processMemory } from '../lib/memory.mjs';
import { summary } from '../lib/stats.mjs';

/**
 * Fills a registry with `count` tenants, one key each, all suspended: a
 * request with a tenant's own key then goes through the whole auth + route
 * lookup (key hash, key row, tenant row) and ends in 403 "suspended" before
 * any instance is involved.
 */
async function populate(dataDir, count) {
  const { openSqliteRegistry } = await import('@silo/gateway');
  mkdirSync(dataDir, { recursive: true });
  const registry = openSqliteRegistry(join(dataDir, 'registry.db'));
  const keys = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const id = `t-${String(i).padStart(5, '0')}`;
    await registry.tenants.create({ id });
    keys.push({ id, key: (await registry.keys.create(id, 'bench')).key });
    await registry.tenants.setState(id, 'suspended', 'benchmark');
  }
  const ms = performance.now() - t0;
  return { registry, keys, ms };
}

/** In-process: µs per authorizeTenantRequest over random keys of the registry. */
async function lookupMicros(registry, keys, iterations) {
  const { authorizeTenantRequest, parseTenantPath } = await import('@silo/gateway');
  const t0 = performance.now();
  let suspended = 0;
  for (let i = 0; i < iterations; i++) {
    const k = keys[(i * 7919) % keys.length];
    try {
      await authorizeTenantRequest(
        registry,
        parseTenantPath(`/api/v1/${k.id}/flows/search`),
        `Bearer ${k.key}`,
      );
    } catch (err) {
      if (err.code === 'TENANT_SUSPENDED' || /suspend/i.test(err.message)) suspended++;
      else throw err;
    }
  }
  if (suspended !== iterations)
    throw new Error(`expected every lookup to end in "suspended", got ${suspended}/${iterations}`);
  return ((performance.now() - t0) * 1000) / iterations;
}

/** Sequential requests (one keep-alive connection) with random keys; all must be 403. */
async function requestLatency(gw, keys, count) {
  const latencies = [];
  for (let i = 0; i < count; i++) {
    const k = keys[(i * 7919) % keys.length];
    const res = await timedRequest(`${gw.url}/api/v1/${k.id}/flows/search`, {
      headers: { authorization: `Bearer ${k.key}` },
      agent: keepAlive,
    });
    if (res.status !== 403)
      throw new Error(
        `expected 403 (suspended) for ${k.id}, got ${res.status || res.error}: ${res.body?.slice(0, 200)}`,
      );
    latencies.push(res.totalMs);
  }
  return latencies;
}

/** (6) Registry scale: 10,000 tenants with keys vs 10, auth + route lookup per request and the gateway's RSS. */
export async function registryScale(ctx) {
  const big = 10_000;
  const small = 10;
  const requests = ctx.quick ? 600 : 2_000;
  const sets = {};
  for (const [name, count] of [
    ['big', big],
    ['small', small],
  ]) {
    const dataDir = join(ctx.tmp, `registry-${name}`);
    const pop = await populate(dataDir, count);
    const micros = await lookupMicros(pop.registry, pop.keys, ctx.quick ? 5_000 : 20_000);
    await pop.registry.close();
    sets[name] = { dataDir, keys: pop.keys, populateMs: pop.ms, micros };
    ctx.log(
      `  registry ${count}: filled in ${(pop.ms / 1000).toFixed(1)} s, in-process lookup ${micros.toFixed(1)} µs`,
    );
  }
  const gateways = {};
  try {
    for (const name of ['big', 'small']) {
      gateways[name] = await startGateway({ dataDir: sets[name].dataDir, runtime: 'process' });
    }
    const lat = { big: [], small: [] };
    // Warm-up, then interleaved blocks so noise hits both alike.
    for (const name of ['big', 'small']) await requestLatency(gateways[name], sets[name].keys, 100);
    const block = requests / 4;
    for (let round = 0; round < 4; round++) {
      for (const name of round % 2 === 0 ? ['big', 'small'] : ['small', 'big']) {
        lat[name].push(...(await requestLatency(gateways[name], sets[name].keys, block)));
      }
    }
    const rss = { big: processMemory(gateways.big.pid)?.rss, small: processMemory(gateways.small.pid)?.rss };
    const sb = summary(lat.big);
    const ss = summary(lat.small);
    ctx.details.registry = {
      big,
      small,
      requests,
      sets: Object.fromEntries(
        Object.entries(sets).map(([k, v]) => [k, { populateMs: v.populateMs, micros: v.micros }]),
      ),
      latency: { big: sb, small: ss },
      rss,
    };
    return [
      {
        figure: `registry ${big.toLocaleString('en-US')} tenants: auth + route lookup, in process`,
        value: sets.big.micros / 1000,
        baseline: sets.small.micros / 1000,
        unit: 'ms',
        note: `baseline: ${small} tenants; ${sets.big.micros.toFixed(1)} µs vs ${sets.small.micros.toFixed(1)} µs`,
      },
      {
        figure: `  registry ${big.toLocaleString('en-US')}: request p50 (auth + lookup → 403)`,
        value: sb.p50,
        baseline: ss.p50,
        unit: 'ms',
        note: `${requests} requests each, one keep-alive connection`,
      },
      {
        figure: `  registry ${big.toLocaleString('en-US')}: request p99`,
        value: sb.p99,
        baseline: ss.p99,
        unit: 'ms',
      },
      {
        figure: `registry ${big.toLocaleString('en-US')}: gateway RSS`,
        value: rss.big,
        baseline: rss.small,
        unit: 'bytes',
        note: `baseline: gateway with ${small} tenants, same requests`,
      },
    ];
  } finally {
    for (const g of Object.values(gateways)) await g.stop();
  }
}
