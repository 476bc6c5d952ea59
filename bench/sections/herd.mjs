import { Agent } from 'node:http';
import { metricSum } from '../lib/gateway-process.mjs';
import { timedRequest } from '../lib/http.mjs';
import { ratio, summary } from '../lib/stats.mjs';

async function herdOnce(gw, tenantId, key, count) {
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const startsBefore = metricSum(await gw.metrics(), 'silo_cold_starts_total', { tenant: tenantId });
  const results = await Promise.all(
    Array.from({ length: count }, () =>
      timedRequest(`${gw.url}/api/v1/${tenantId}/flows/search`, {
        headers: { authorization: `Bearer ${key}` },
        agent,
        timeoutMs: 90_000,
      }),
    ),
  );
  agent.destroy();
  const starts = metricSum(await gw.metrics(), 'silo_cold_starts_total', { tenant: tenantId }) - startsBefore;
  const errors = results.filter((r) => r.status !== 200);
  const byStatus = {};
  for (const r of errors) byStatus[r.status || r.error] = (byStatus[r.status || r.error] ?? 0) + 1;
  await gw.stopTenant(tenantId);
  return { starts, errors: errors.length, byStatus, latency: summary(results.map((r) => r.totalMs)) };
}

/** (2) Herd: `count` concurrent requests to one stopped tenant; orchestrator vs baseline server. */
export async function herd(ctx, runtime) {
  const gw = await ctx.gateway(runtime);
  const count = 500;
  const o = { id: `herd-${runtime}` };
  const b = { id: `base-herd-${runtime}` };
  o.key = await gw.createTenant(o.id);
  b.key = await gw.createTenant(b.id);
  const ro = await herdOnce(gw, o.id, o.key, count);
  ctx.log(
    `  herd ${runtime}: orchestrator ${ro.starts} start(s), ${ro.errors} error(s), p50 ${ro.latency.p50?.toFixed(0)} ms`,
  );
  const rb = await herdOnce(gw, b.id, b.key, count);
  ctx.log(
    `  herd ${runtime}: baseline ${rb.starts} start(s), ${rb.errors} error(s), p50 ${rb.latency.p50?.toFixed(0)} ms`,
  );
  ctx.details[`herd.${runtime}`] = { count, orchestrator: ro, baseline: rb };
  return [
    {
      figure: `herd ${count} (${runtime}): starts`,
      value: ro.starts,
      baseline: rb.starts,
      unit: '',
      target: '= 1',
      met: ro.starts === 1,
    },
    {
      figure: `herd ${count} (${runtime}): errors`,
      value: ro.errors,
      baseline: rb.errors,
      unit: '',
      target: '= 0',
      met: ro.errors === 0,
      note: ro.errors ? JSON.stringify(ro.byStatus) : undefined,
    },
    {
      figure: `herd ${count} (${runtime}): p50`,
      value: ro.latency.p50,
      baseline: rb.latency.p50,
      unit: 'ms',
    },
    {
      figure: `herd ${count} (${runtime}): p99`,
      value: ro.latency.p99,
      baseline: rb.latency.p99,
      unit: 'ms',
      ratioOverride: ratio(ro.latency.p99, rb.latency.p99),
    },
  ];
}
