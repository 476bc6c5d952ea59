import { join } from 'node:path';
import { BASELINE_IMAGE, prepareDockerImages } from '../lib/docker-baseline.mjs';
import { metricSum, startGateway } from '../lib/gateway-process.mjs';
import { noKeepAlive, timedRequest } from '../lib/http.mjs';
import { pool, sleep, summary } from '../lib/stats.mjs';
import { closeGateway } from './paused.mjs';

/** Every tenant gets one request at the same instant; resolves when all have answered. */
async function wakeAll(gw, ids, keys) {
  const started = performance.now();
  const results = await Promise.all(
    ids.map((id, i) =>
      timedRequest(`${gw.url}/api/v1/${id}/${id.startsWith('base-') ? 'ping' : 'flows/search'}`, {
        headers: { authorization: `Bearer ${keys[i]}` },
        agent: noKeepAlive,
        timeoutMs: 120_000,
      }),
    ),
  );
  const wallMs = performance.now() - started;
  const ok = results.filter((r) => r.status === 200);
  return {
    wallMs,
    perSecond: (ids.length / wallMs) * 1000,
    errors: results.length - ok.length,
    firstError: results.find((r) => r.status !== 200),
    ttfb: summary(ok.map((r) => r.ttfbMs)),
  };
}

/** Polls `/admin/v1/status` until `count` instances are paused (bounded). */
async function waitPaused(gw, count, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await gw.admin('GET', '/status');
    if ((status.instances.paused ?? 0) >= count) return;
    if (Date.now() > deadline)
      throw new Error(`${status.instances.paused ?? 0} of ${count} paused within ${timeoutMs} ms`);
    await sleep(100);
  }
}

const phaseMean = (before, after, phase) => {
  const sum = (m) => metricSum(m, 'silo_cold_start_duration_seconds_sum', { phase }) * 1000;
  const count = (m) => metricSum(m, 'silo_cold_start_duration_seconds_count', { phase });
  return (sum(after) - sum(before)) / Math.max(1, count(after) - count(before));
};

/**
 * (issue 18 §5) Start throughput: N tenants woken at once (one request each,
 * all in the same instant, as schedules due at :00 would without the wake
 * spread), through a gateway with SILO_START_CONCURRENCY = c, for several c:
 * starts/s, first-byte p50/p99, and where a start's time goes (the gateway's
 * histogram: driver start call, then boot until /readyz). Then, once all are
 * paused (SILO_PAUSE_AFTER 1 s), the same N woken again: resumes/s. Baseline
 * (same run): N do-nothing servers woken the same way at the default c.
 */
export async function wakeThroughput(ctx, runtime) {
  const n = runtime === 'docker' ? (ctx.quick ? 8 : 24) : ctx.quick ? 16 : 200;
  const concurrencies = ctx.quick ? [4] : runtime === 'docker' ? [2, 4, 8] : [2, 4, 8, 0];
  let baselineImage;
  if (runtime === 'docker') {
    ctx.details.images ??= await prepareDockerImages(join(ctx.tmp, 'baseline-image'), ctx.log);
    baselineImage = BASELINE_IMAGE;
  }
  const rows = [];
  const details = {};
  const label = (c) => (c === 0 ? 'unbounded' : String(c));
  const round = async (c, prefix) => {
    const gw = await startGateway({
      dataDir: join(ctx.tmp, `gateway-wake-${runtime}-${prefix}${c}`),
      runtime,
      baselineImage,
      pauseAfter: '1s',
      startConcurrency: c,
      maxRunning: n + 10,
      logLevel: 'warn',
    });
    try {
      const ids = Array.from({ length: n }, (_, i) => `${prefix}wake-${runtime}-${i}`);
      const keys = await pool(n, 8, (i) => gw.createTenant(ids[i]));
      const before = await gw.metrics();
      const starts = await wakeAll(gw, ids, keys);
      const after = await gw.metrics();
      starts.spawnMs = phaseMean(before, after, 'spawn');
      starts.readyMs = phaseMean(before, after, 'ready');
      await waitPaused(gw, n);
      await sleep(200);
      const resumes = await wakeAll(gw, ids, keys);
      ctx.log(
        `  ${runtime} ${prefix || 'orchestrator '}c=${label(c)}: ${n} starts in ${(starts.wallMs / 1000).toFixed(1)} s (${starts.perSecond.toFixed(1)}/s, p50 ${starts.ttfb.p50?.toFixed(0)} ms, driver ${starts.spawnMs.toFixed(0)} ms + boot ${starts.readyMs.toFixed(0)} ms each, ${starts.errors} errors); resumes ${resumes.perSecond.toFixed(0)}/s (p50 ${resumes.ttfb.p50?.toFixed(1)} ms, ${resumes.errors} errors)`,
      );
      for (const [what, r] of [
        ['start', starts],
        ['resume', resumes],
      ]) {
        if (r.firstError)
          ctx.log(
            `    first failed ${what}: ${r.firstError.status || r.firstError.error} ${r.firstError.body?.slice(0, 200) ?? ''}`,
          );
        r.firstError = r.firstError && {
          status: r.firstError.status,
          error: r.firstError.error,
          body: r.firstError.body?.slice(0, 300),
        };
      }
      return { starts, resumes };
    } finally {
      await closeGateway(gw);
    }
  };
  for (const c of concurrencies) details[label(c)] = await round(c, '');
  const base = await round(4, 'base-');
  details.baseline = base;
  const byRate = Object.entries(details)
    .filter(([k]) => k !== 'baseline')
    .sort((a, b) => b[1].starts.perSecond - a[1].starts.perSecond);
  const [bestC] = byRate[0];
  const d = details['4'] ?? byRate[0][1];
  const target = runtime === 'docker' ? 30 : undefined;
  rows.push({
    figure: `starts/s, ${n} tenants woken at once (${runtime}, SILO_START_CONCURRENCY=4)`,
    value: d.starts.perSecond,
    baseline: base.starts.perSecond,
    unit: '/s',
    ...(target ? { target: `≥ ${target}/s`, met: d.starts.perSecond >= target } : {}),
    note: `baseline: ${n} do-nothing servers, same c; ${d.starts.errors} errors; first byte p50 ${d.starts.ttfb.p50?.toFixed(0)} ms, p99 ${d.starts.ttfb.p99?.toFixed(0)} ms; per start: driver ${d.starts.spawnMs.toFixed(0)} ms + boot to /readyz ${d.starts.readyMs.toFixed(0)} ms${concurrencies.length > 1 ? `; fastest c=${bestC}` : ''}`,
  });
  for (const c of concurrencies) {
    if (c === 4 || concurrencies.length === 1) continue;
    const r = details[label(c)];
    rows.push({
      figure: `  starts/s at SILO_START_CONCURRENCY=${label(c)} (${runtime})`,
      value: r.starts.perSecond,
      baseline: d.starts.perSecond,
      unit: '/s',
      note: `baseline: c=4; first byte p50 ${r.starts.ttfb.p50?.toFixed(0)} ms, p99 ${r.starts.ttfb.p99?.toFixed(0)} ms; driver ${r.starts.spawnMs.toFixed(0)} ms + boot ${r.starts.readyMs.toFixed(0)} ms; ${r.starts.errors} errors`,
    });
  }
  rows.push({
    figure: `resumes/s, ${n} paused tenants woken at once (${runtime})`,
    value: d.resumes.perSecond,
    baseline: d.starts.perSecond,
    unit: '/s',
    target: '≥ 300/s',
    met: d.resumes.perSecond >= 300,
    note: `baseline: the starts/s of the same tenants; ${d.resumes.errors} errors; first byte p50 ${d.resumes.ttfb.p50?.toFixed(1)} ms, p99 ${d.resumes.ttfb.p99?.toFixed(0)} ms`,
  });
  ctx.details[`wake.${runtime}`] = details;
  return rows;
}
