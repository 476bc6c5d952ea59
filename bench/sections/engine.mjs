import { processInstance } from '../lib/gateway-process.mjs';
import { keepAlive, timedRequest } from '../lib/http.mjs';
import { pool, ratio, summary } from '../lib/stats.mjs';

/** The engine row's flow; bench/engine-profile.mjs runs the same one. */
export const THREE_TASKS = `id: three-tasks
namespace: bench
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: one
  - id: second
    type: io.kestra.plugin.core.debug.Return
    format: two
  - id: third
    type: io.kestra.plugin.core.log.Log
    message: three
`;

const SLEEPS = `id: forty-sleeps
namespace: bench
tasks:
${Array.from({ length: 40 }, (_, i) => `  - id: sleep${i}\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT0.01S`).join('\n')}
`;

async function deploy(base, tenantId, headers, yaml) {
  const res = await timedRequest(`${base}/api/v1/${tenantId}/flows`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-yaml' },
    body: yaml,
  });
  if (res.status !== 200 && res.status !== 201 && res.status !== 409) {
    throw new Error(`deploying a flow answered ${res.status || res.error}: ${res.body?.slice(0, 300)}`);
  }
}

/** One execution with ?wait=true; returns its latency and final state. */
async function execute(target, tenantId, flowId) {
  const { base, headers } = target;
  const res = await timedRequest(`${base}/api/v1/${tenantId}/executions/bench/${flowId}?wait=true`, {
    method: 'POST',
    headers,
    agent: keepAlive,
    timeoutMs: 60_000,
    ...(target.socketPath ? { socketPath: target.socketPath } : {}),
  });
  let state;
  try {
    state = JSON.parse(res.body).state?.current;
  } catch {}
  return {
    ms: res.totalMs,
    status: res.status,
    state,
    error: res.status === 200 ? undefined : (res.body?.slice(0, 200) ?? res.error),
  };
}

async function batch(target, tenantId, flowId, count, concurrency) {
  const started = performance.now();
  const runs = await pool(count, concurrency, () => execute(target, tenantId, flowId));
  const wallMs = performance.now() - started;
  return { runs, wallMs };
}

/**
 * (4) Engine: executions/s and create→SUCCESS latency of a 3-task flow
 * through the gateway and direct to the instance (interleaved rounds), and
 * one execution of 40 sequential 10 ms Sleep tasks.
 */
export async function engine(ctx) {
  const gw = await ctx.gateway('process');
  const tenantId = 'engine';
  const key = await gw.createTenant(tenantId);
  const viaGateway = { base: gw.url, headers: { authorization: `Bearer ${key}` } };
  await deploy(gw.url, tenantId, viaGateway.headers, THREE_TASKS);
  await deploy(gw.url, tenantId, viaGateway.headers, SLEEPS);
  const record = processInstance(gw.dataDir, tenantId);
  if (!record) throw new Error('no instance record for the engine tenant');
  // The process runtime may listen on a unix socket (record.socketPath, port 0).
  const direct = {
    base: record.socketPath ? 'http://localhost' : `http://127.0.0.1:${record.port}`,
    headers: { 'x-silo-instance-token': record.instanceToken },
    ...(record.socketPath ? { socketPath: record.socketPath } : {}),
  };

  const perRound = ctx.quick ? 20 : 60;
  const concurrency = 4;
  // Warm-up (JIT, SQLite cache): not counted.
  await batch(direct, tenantId, 'three-tasks', 8, concurrency);
  const acc = { gateway: { runs: [], wallMs: 0 }, direct: { runs: [], wallMs: 0 } };
  for (const order of [
    ['direct', 'gateway'],
    ['gateway', 'direct'],
  ]) {
    for (const name of order) {
      const target = name === 'gateway' ? viaGateway : direct;
      const r = await batch(target, tenantId, 'three-tasks', perRound, concurrency);
      acc[name].runs.push(...r.runs);
      acc[name].wallMs += r.wallMs;
    }
  }
  const rows = [];
  const figures = {};
  for (const name of ['gateway', 'direct']) {
    const runs = acc[name].runs;
    const ok = runs.filter((r) => r.state === 'SUCCESS');
    figures[name] = {
      count: runs.length,
      success: ok.length,
      failures: runs.filter((r) => r.state !== 'SUCCESS').slice(0, 3),
      perSecond: (runs.length / acc[name].wallMs) * 1000,
      latency: summary(ok.map((r) => r.ms)),
    };
    ctx.log(
      `  engine via ${name}: ${figures[name].perSecond.toFixed(1)} exec/s, p50 ${figures[name].latency.p50?.toFixed(1)} ms, ${ok.length}/${runs.length} SUCCESS`,
    );
  }
  const g = figures.gateway;
  const d = figures.direct;
  if (g.success === 0 && d.success === 0) {
    throw new Error(`no execution reached SUCCESS: ${JSON.stringify(g.failures[0] ?? d.failures[0])}`);
  }
  rows.push(
    {
      figure: `engine 3-task executions/s via gateway (c=${concurrency})`,
      value: g.perSecond,
      baseline: d.perSecond,
      unit: 'exec/s',
      target: '≥ 1,000',
      met: g.perSecond >= 1_000,
      note: `${g.success}/${g.count} SUCCESS via gateway, ${d.success}/${d.count} direct; baseline: direct to the instance`,
    },
    {
      // The instance's own figure (no gateway in front): what the engine gives the gateway to pass on.
      figure: `engine 3-task executions/s direct to the instance (c=${concurrency})`,
      value: d.perSecond,
      unit: 'exec/s',
      target: '≥ 1,000',
      met: d.perSecond >= 1_000,
    },
    {
      figure: 'engine 3-task create→SUCCESS p50 via gateway',
      value: g.latency.p50,
      baseline: d.latency.p50,
      unit: 'ms',
      target: '≤ 5 ms',
      met: g.latency.p50 <= 5,
    },
    {
      figure: 'engine 3-task create→SUCCESS p99 via gateway',
      value: g.latency.p99,
      baseline: d.latency.p99,
      unit: 'ms',
    },
  );

  const sleepRuns = ctx.quick ? 1 : 3;
  const sleeps = [];
  for (let i = 0; i < sleepRuns; i++) sleeps.push(await execute(viaGateway, tenantId, 'forty-sleeps'));
  const okSleeps = sleeps.filter((r) => r.state === 'SUCCESS');
  if (okSleeps.length === 0) throw new Error(`40 × Sleep did not succeed: ${JSON.stringify(sleeps[0])}`);
  const sleepP50 = summary(okSleeps.map((r) => r.ms)).p50;
  // The same-run baseline: a bare chain of 40 × 10 ms timers in Node (what the sleeps cost with no engine).
  const chains = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    for (let j = 0; j < 40; j++) await new Promise((r) => setTimeout(r, 10));
    chains.push(performance.now() - t0);
  }
  const chainP50 = summary(chains).p50;
  ctx.log(
    `  40 × 10 ms Sleep: ${sleepP50.toFixed(0)} ms; bare chain of 40 × 10 ms Node timers: ${chainP50.toFixed(0)} ms`,
  );
  rows.push({
    figure: '40 sequential 10 ms Sleep tasks, one execution',
    value: sleepP50,
    baseline: chainP50,
    unit: 'ms',
    target: '≤ 1.2 s (quoted, not measured here: Hatchet 1.2 s, Kestra 6.0 s)',
    met: sleepP50 <= 1_200,
    note: `median of ${okSleeps.length}; baseline (measured, same run): a bare chain of 40 × 10 ms setTimeout in Node, median of 5; the constant floor is 400 ms`,
  });
  ctx.details.engine = {
    concurrency,
    figures,
    sleeps,
    timerChains: chains,
    overheadRatio: ratio(g.latency.p50, d.latency.p50),
  };
  return rows;
}
