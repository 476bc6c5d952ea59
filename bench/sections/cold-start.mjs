import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricSum, processInstance } from '../lib/gateway-process.mjs';
import { noKeepAlive, timedRequest } from '../lib/http.mjs';
import { ratio, summary } from '../lib/stats.mjs';

const PHASES = ['spawn', 'ready', 'total'];

/** Sum of the gateway's cold-start histogram per phase (ms), to take per-sample deltas. */
function phaseSums(metrics) {
  const out = {};
  for (const p of PHASES)
    out[p] = metricSum(metrics, 'silo_cold_start_duration_seconds_sum', { phase: p }) * 1000;
  return out;
}

/**
 * Last `instance listening` / `instance ready` times (epoch ms) in an
 * instance's pino output, and the last `boot phases` (ms each, measured by
 * the instance itself from its process start: node, modules, config, wiring,
 * sqliteOpen, migrations, recovery, listen).
 */
function bootMarks(text) {
  const marks = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line);
      if (entry.msg === 'instance listening') marks.listening = entry.time;
      if (entry.msg === 'instance ready') marks.ready = entry.time;
      if (entry.msg === 'boot phases') marks.phases = entry.phases;
    } catch {}
  }
  return marks;
}

/** When the instance was started and its log, as the driver left them (process file or container). */
function instanceTrace(gw, tenantId) {
  if (gw.runtime === 'process') {
    const record = processInstance(gw.dataDir, tenantId);
    let log = '';
    try {
      log = readFileSync(join(gw.dataDir, 'tenants', tenantId, 'instance.log'), 'utf8').slice(-20_000);
    } catch {}
    return { startedAt: record ? Date.parse(record.startedAt) : undefined, log };
  }
  try {
    const name = `silo-${tenantId}`;
    const started = execFileSync('docker', ['inspect', '-f', '{{.State.StartedAt}}', name], {
      timeout: 10_000,
    })
      .toString()
      .trim();
    const log = execFileSync('docker', ['logs', '--tail', '20', name], {
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
    return { startedAt: Date.parse(started), log };
  } catch {
    return { startedAt: undefined, log: '' };
  }
}

/** One cold start: stopped tenant → request → first byte, with the gateway's phases and the instance's own marks. */
async function sample(gw, tenantId, key) {
  const before = phaseSums(await gw.metrics());
  const res = await timedRequest(`${gw.url}/api/v1/${tenantId}/flows/search`, {
    headers: { authorization: `Bearer ${key}` },
    agent: noKeepAlive,
    timeoutMs: 60_000,
  });
  const after = phaseSums(await gw.metrics());
  if (res.status !== 200)
    throw new Error(
      `cold request to ${tenantId} answered ${res.status || res.error}: ${res.body?.slice(0, 200)}`,
    );
  const phases = {};
  for (const p of PHASES) phases[p] = after[p] - before[p];
  const trace = instanceTrace(gw, tenantId);
  const marks = bootMarks(trace.log);
  const s = {
    ttfb: res.ttfbMs,
    spawn: phases.spawn,
    ready: phases.ready,
    gatewayTotal: phases.total,
    proxy: res.ttfbMs - phases.total,
  };
  // main.ts opens the store synchronously before the listen callback runs, so
  // both marks land together: one phase, boot → listening and ready.
  if (trace.startedAt && (marks.listening || marks.ready)) {
    s.bootToReady = Math.max(marks.listening ?? 0, marks.ready ?? 0) - trace.startedAt;
  }
  // The instance's own breakdown of that boot (the baseline has none).
  if (marks.phases) {
    const p = marks.phases;
    s.bootNodeModules = (p.node ?? 0) + (p.modules ?? 0);
    s.bootStore = (p.sqliteOpen ?? 0) + (p.migrations ?? 0) + (p.recovery ?? 0);
    s.bootOther = (p.config ?? 0) + (p.wiring ?? 0) + (p.listen ?? 0);
  }
  await gw.stopTenant(tenantId);
  return s;
}

const pick = (list, field) => list.map((s) => s[field]).filter((v) => typeof v === 'number');

/**
 * (1) Cold start p50/p95, orchestrator vs a do-nothing Node server, both
 * started by the same gateway through the same driver; interleaved samples.
 */
export async function coldStart(ctx, runtime) {
  const gw = await ctx.gateway(runtime);
  const n = ctx.quick ? (runtime === 'docker' ? 3 : 5) : runtime === 'docker' ? 8 : 15;
  const ids = { orchestrator: `cold-${runtime}`, baseline: `base-cold-${runtime}` };
  const keys = {};
  for (const [kind, id] of Object.entries(ids)) keys[kind] = await gw.createTenant(id);
  // Warm-up start of each (image resolution, page cache); not counted.
  for (const kind of Object.keys(ids)) await sample(gw, ids[kind], keys[kind]);
  const samples = { orchestrator: [], baseline: [] };
  for (let i = 0; i < n; i++) {
    const order = i % 2 === 0 ? ['orchestrator', 'baseline'] : ['baseline', 'orchestrator'];
    for (const kind of order) samples[kind].push(await sample(gw, ids[kind], keys[kind]));
    ctx.log(
      `  ${runtime} cold start ${i + 1}/${n}: orchestrator ${samples.orchestrator.at(-1).ttfb.toFixed(0)} ms, baseline ${samples.baseline.at(-1).ttfb.toFixed(0)} ms`,
    );
  }
  const o = summary(pick(samples.orchestrator, 'ttfb'));
  const b = summary(pick(samples.baseline, 'ttfb'));
  const label = runtime;
  // Issue 18's targets: a process instance within 1.5× a do-nothing child, a container within 1.2× a do-nothing container.
  const bound = runtime === 'docker' ? 1.2 : 1.5;
  const rows = [
    {
      figure: `cold start p50 (${label})`,
      value: o.p50,
      baseline: b.p50,
      unit: 'ms',
      target: `≤ ${bound}× baseline`,
      met: ratio(o.p50, b.p50) <= bound,
    },
    { figure: `cold start p95 (${label})`, value: o.p95, baseline: b.p95, unit: 'ms' },
  ];
  const phaseNames = [
    ['spawn', 'driver start call'],
    ['bootToReady', 'instance: boot → listening + ready (modules, SQLite, migrations)'],
    ['bootNodeModules', 'instance boot: Node start + loading modules'],
    ['bootStore', 'instance boot: SQLite open + migrations + recovery'],
    ['bootOther', 'instance boot: config + wiring + listen'],
    ['ready', 'gateway: start call → /readyz 200'],
    ['proxy', 'gateway: ready → first byte (proxy + client)'],
  ];
  for (const [field, text] of phaseNames) {
    const ov = summary(pick(samples.orchestrator, field)).p50;
    const bv = summary(pick(samples.baseline, field)).p50;
    if (ov === undefined && bv === undefined) continue;
    rows.push({ figure: `  ${label} phase p50: ${text}`, value: ov, baseline: bv, unit: 'ms' });
  }
  ctx.details[`coldStart.${runtime}`] = { samples, summary: { orchestrator: o, baseline: b } };
  return rows;
}
