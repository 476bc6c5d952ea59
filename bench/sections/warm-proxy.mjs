import { join } from 'node:path';
import { processInstance, startGateway } from '../lib/gateway-process.mjs';
import { jsonRequest } from '../lib/http.mjs';
import { startCaddy, startNginx } from '../lib/proxies.mjs';
import { runWrk } from '../lib/tools.mjs';

const TOKEN_HEADER = 'x-silo-instance-token';

/**
 * (3) Warm proxy: req/s (64 connections) and p50/p99 (1 connection) through
 * the gateway, direct to the instance, through nginx and through Caddy
 * proxying the same instance, with wrk at a fixed duration. Two upstreams: the
 * do-nothing server (the proxy's own cost) and the orchestrator
 * (`flows/search`, the instance's cheapest API call).
 */
export async function warmProxy(ctx) {
  if (!ctx.tools.found.wrk) throw new Error(`skipped: ${ctx.tools.reasons.wrk}`);
  // A gateway of its own whose data folder is too long for a unix socket path (107 bytes): its
  // instances then listen on TCP ports, which wrk ("direct"), nginx and Caddy reach the same way
  // the gateway does. (With a short folder the process driver puts them on unix sockets.)
  const gw = await startGateway({ dataDir: join(ctx.tmp, `warm-${'t'.repeat(100)}`), runtime: 'process' });
  try {
    return await measure(ctx, gw);
  } finally {
    await gw.stop();
  }
}

async function measure(ctx, gw) {
  const seconds = ctx.quick ? 1 : 3;
  const upstreams = [
    { name: 'do-nothing server', id: 'base-warm' },
    { name: 'orchestrator', id: 'warm' },
  ];
  for (const u of upstreams) {
    u.key = await gw.createTenant(u.id);
    await jsonRequest(`${gw.url}/api/v1/${u.id}/flows/search`, {
      headers: { authorization: `Bearer ${u.key}` },
    });
    const record = processInstance(gw.dataDir, u.id);
    if (!record) throw new Error(`no instance record for ${u.id}`);
    if (!(record.port > 0))
      throw new Error(`instance of ${u.id} is not on a TCP port: ${JSON.stringify(record)}`);
    u.port = record.port;
    u.token = record.instanceToken;
  }
  const routes = upstreams.map((u) => ({
    prefix: `/api/v1/${u.id}/`,
    port: u.port,
    headers: { [TOKEN_HEADER]: u.token },
  }));
  const proxies = {};
  const problems = {};
  for (const [name, start] of [
    ['nginx', startNginx],
    ['caddy', startCaddy],
  ]) {
    if (!ctx.tools.found[name]) {
      problems[name] = ctx.tools.reasons[name];
      continue;
    }
    try {
      proxies[name] = await start(join(ctx.tmp, name), routes);
    } catch (err) {
      problems[name] = err.message;
    }
  }
  const rows = [];
  const results = {};
  try {
    for (const u of upstreams) {
      const path = `/api/v1/${u.id}/flows/search`;
      const targets = [
        ['gateway', `${gw.url}${path}`, { authorization: `Bearer ${u.key}` }],
        ['direct', `http://127.0.0.1:${u.port}${path}`, { [TOKEN_HEADER]: u.token }],
        ...Object.entries(proxies).map(([name, p]) => [name, `${p.url}${path}`, {}]),
      ];
      const r = {};
      // A discarded warm-up run per target first: the gateway is a Node
      // process whose request path is still being compiled during its first
      // thousands of requests, unlike nginx and Caddy.
      for (const [, url, headers] of targets) {
        await runWrk({ url, headers, connections: 16, threads: 1, seconds: 1 });
      }
      // Rounds in opposite orders; each target keeps its best round (the one
      // least disturbed by the other tenants of this shared machine).
      const rounds = ctx.quick ? 1 : 2;
      for (let round = 0; round < rounds; round++) {
        const ordered = round % 2 === 0 ? targets : [...targets].reverse();
        for (const [name, url, headers] of ordered) {
          const load = await runWrk({ url, headers, connections: 64, threads: 1, seconds });
          const single = await runWrk({ url, headers, connections: 1, threads: 1, seconds });
          const errors = load.non2xx + load.socketErrors + single.non2xx + single.socketErrors;
          const prev = r[name];
          r[name] = {
            rps: Math.max(prev?.rps ?? 0, load.rps),
            p50: Math.min(prev?.p50 ?? Number.POSITIVE_INFINITY, single.p50),
            p99: Math.min(prev?.p99 ?? Number.POSITIVE_INFINITY, single.p99),
            errors: (prev?.errors ?? 0) + errors,
            rounds: [
              ...(prev?.rounds ?? []),
              { rps: load.rps, loadP50: load.p50, loadP99: load.p99, p50: single.p50, p99: single.p99 },
            ],
          };
          ctx.log(
            `  warm ${u.name} via ${name} (round ${round + 1}/${rounds}): ${Math.round(load.rps)} req/s, p50 ${single.p50} ms (c=1), errors ${errors}`,
          );
        }
      }
      results[u.name] = r;
      const tag = u.name;
      const ref = r.caddy ?? r.nginx;
      const refName = r.caddy ? 'Caddy' : 'nginx';
      rows.push({
        figure: `warm req/s via gateway (${tag}; baseline ${ref ? refName : 'direct'})`,
        value: r.gateway.rps,
        baseline: (ref ?? r.direct).rps,
        unit: 'req/s',
        target: ref ? '≥ Caddy' : undefined,
        met: r.caddy ? r.gateway.rps >= r.caddy.rps : undefined,
      });
      if (u.id === 'warm') {
        // An upstream that does work of its own: the gateway should cost it at most 5 % of its rate.
        rows.push({
          figure: `warm req/s via gateway vs direct (${tag})`,
          value: r.gateway.rps,
          baseline: r.direct.rps,
          unit: 'req/s',
          target: '≥ 0.95× direct',
          met: r.gateway.rps >= 0.95 * r.direct.rps,
        });
      }
      for (const name of ['direct', 'nginx', 'caddy']) {
        if (!r[name]) continue;
        rows.push({
          figure: `  warm req/s ${name} (${tag})`,
          value: r[name].rps,
          baseline: r.direct.rps,
          unit: 'req/s',
        });
      }
      const added = r.gateway.p50 - r.direct.p50;
      rows.push({
        figure: `warm added p50 via gateway, c=1 (${tag})`,
        value: added,
        baseline: r.direct.p50,
        unit: 'ms',
        target: '≤ 0.2 ms',
        met: added <= 0.2,
        noRatio: true,
        note: `gateway p50 ${r.gateway.p50} ms vs direct ${r.direct.p50} ms`,
      });
      for (const name of ['nginx', 'caddy']) {
        if (!r[name]) continue;
        rows.push({
          figure: `  warm added p50 via ${name}, c=1 (${tag})`,
          value: r[name].p50 - r.direct.p50,
          baseline: r.direct.p50,
          unit: 'ms',
          noRatio: true,
        });
      }
      rows.push({
        figure: `  warm p99 c=1 gateway vs direct (${tag})`,
        value: r.gateway.p99,
        baseline: r.direct.p99,
        unit: 'ms',
      });
    }
  } finally {
    for (const p of Object.values(proxies)) await p.stop();
  }
  for (const [name, why] of Object.entries(problems)) rows.push({ figure: `warm via ${name}`, skipped: why });
  ctx.details.warmProxy = { seconds, results, problems };
  return rows;
}
