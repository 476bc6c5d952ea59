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

/** Samples the start gate (`/admin/v1/status` → `starts`) every 100 ms until `done` settles: the bounds it used. */
async function sampleGate(gw, done) {
  const limits = [];
  let finished = false;
  done.finally(() => {
    finished = true;
  });
  for (let i = 0; i < 3_000 && !finished; i++) {
    const status = await gw.admin('GET', '/status').catch(() => undefined);
    if (status?.starts && status.starts.waiting > 0) limits.push(status.starts.limit);
    await sleep(100);
  }
  return limits;
}

const label = (c) => (c === 0 ? 'unbounded' : String(c));

/**
 * (issue 18 §5) Start throughput: N tenants woken at once (one request each,
 * all in the same instant, as schedules due at :00 would without the wake
 * spread), through a gateway with SILO_START_CONCURRENCY = c, for each c of
 * a sweep (full: 1, 2, 4, 8, 16, 32 and `auto`, the adaptive default; quick:
 * `auto` only, within the quick budget), a fresh gateway each: starts/s, first-byte p50/p99, and
 * where a start's time goes (the gateway's histogram: registry + gate wait +
 * driver start call, then boot until /readyz). `auto`'s bound is sampled
 * while starts wait (the concurrency it chose). Then, in the `auto` round,
 * once all are paused (SILO_PAUSE_AFTER 1 s), the same N woken again:
 * resumes/s (a resume does not pass the start gate), against the same burst
 * sent just before while all ran (warm). Baseline of the starts (same run): N
 * do-nothing servers woken the same way at `auto`. BENCH_WAKE_N and
 * BENCH_WAKE_C (e.g. `2,4,auto`) override N and the sweep.
 */
export async function wakeThroughput(ctx, runtime) {
  const n =
    Number(process.env.BENCH_WAKE_N) || (runtime === 'docker' ? (ctx.quick ? 8 : 24) : ctx.quick ? 16 : 200);
  const sweep = process.env.BENCH_WAKE_C?.split(',').map((c) => (c === 'auto' ? 'auto' : Number(c)));
  const concurrencies =
    sweep ??
    (ctx.quick ? ['auto'] : runtime === 'docker' ? [1, 2, 4, 8, 16, 'auto'] : [1, 2, 4, 8, 16, 32, 'auto']);
  let baselineImage;
  if (runtime === 'docker') {
    ctx.details.images ??= await prepareDockerImages(join(ctx.tmp, 'baseline-image'), ctx.log);
    baselineImage = BASELINE_IMAGE;
  }
  const rows = [];
  const details = {};
  const round = async (c, prefix, withResumes) => {
    const gw = await startGateway({
      dataDir: join(ctx.tmp, `gateway-wake-${runtime}-${prefix}${c}`),
      runtime,
      baselineImage,
      pauseAfter: withResumes ? '1s' : 'off',
      startConcurrency: c,
      maxRunning: n + 10,
      logLevel: 'warn',
    });
    try {
      const ids = Array.from({ length: n }, (_, i) => `${prefix}wake-${runtime}-${i}`);
      const keys = await pool(n, 8, (i) => gw.createTenant(ids[i]));
      const before = await gw.metrics();
      const waking = wakeAll(gw, ids, keys);
      const limits = c === 'auto' ? await sampleGate(gw, waking) : [];
      const starts = await waking;
      const after = await gw.metrics();
      starts.spawnMs = phaseMean(before, after, 'spawn');
      starts.readyMs = phaseMean(before, after, 'ready');
      starts.limits = limits;
      starts.chosen = limits.length ? summary(limits).p50 : undefined;
      let resumes;
      let warm;
      if (withResumes) {
        // The same burst while all run (fresh connections): the ceiling a resume burst is measured against.
        warm = await wakeAll(gw, ids, keys);
        await waitPaused(gw, n);
        await sleep(200);
        resumes = await wakeAll(gw, ids, keys);
      }
      ctx.log(
        `  ${runtime} ${prefix || 'orchestrator '}c=${label(c)}: ${n} starts in ${(starts.wallMs / 1000).toFixed(1)} s (${starts.perSecond.toFixed(1)}/s, p50 ${starts.ttfb.p50?.toFixed(0)} ms, gate+driver ${starts.spawnMs.toFixed(0)} ms + boot ${starts.readyMs.toFixed(0)} ms each, ${starts.errors} errors${starts.chosen !== undefined ? `, auto bound p50 ${starts.chosen} (${Math.min(...limits)}–${Math.max(...limits)})` : ''})${resumes ? `; resumes ${resumes.perSecond.toFixed(0)}/s (p50 ${resumes.ttfb.p50?.toFixed(1)} ms, ${resumes.errors} errors)` : ''}`,
      );
      for (const [what, r] of [
        ['start', starts],
        ['resume', resumes],
      ]) {
        if (!r) continue;
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
      return { starts, resumes, warm };
    } finally {
      await closeGateway(gw);
    }
  };
  for (const c of concurrencies) details[label(c)] = await round(c, '', c === 'auto');
  const base = await round('auto', 'base-', false);
  details.baseline = base;
  const fixed = Object.entries(details).filter(([k]) => k !== 'baseline' && k !== 'auto');
  const best = fixed.sort((a, b) => b[1].starts.perSecond - a[1].starts.perSecond)[0];
  const d = details.auto ?? details[label(concurrencies[0])];
  const target = runtime === 'docker' ? 30 : undefined;
  rows.push({
    figure: `starts/s, ${n} tenants woken at once (${runtime}, SILO_START_CONCURRENCY=auto)`,
    value: d.starts.perSecond,
    baseline: base.starts.perSecond,
    unit: '/s',
    ...(target ? { target: `≥ ${target}/s`, met: d.starts.perSecond >= target } : {}),
    note: `baseline: ${n} do-nothing servers, same gateway settings; ${d.starts.errors} errors; first byte p50 ${d.starts.ttfb.p50?.toFixed(0)} ms, p99 ${d.starts.ttfb.p99?.toFixed(0)} ms; per start: registry + gate wait + driver ${d.starts.spawnMs.toFixed(0)} ms, boot to /readyz ${d.starts.readyMs.toFixed(0)} ms`,
  });
  if (d.starts.chosen !== undefined)
    rows.push({
      figure: `  concurrency chosen by auto, p50 while starts waited (${runtime})`,
      value: d.starts.chosen,
      baseline: best ? Number(best[0]) || undefined : undefined,
      unit: '',
      note: `range ${Math.min(...d.starts.limits)}–${Math.max(...d.starts.limits)}; baseline: the fastest fixed bound of the sweep${best ? ` (${best[1].starts.perSecond.toFixed(1)}/s)` : ''}`,
    });
  for (const c of concurrencies) {
    if (c === 'auto') continue;
    const r = details[label(c)];
    rows.push({
      figure: `  starts/s at SILO_START_CONCURRENCY=${label(c)} (${runtime})`,
      value: r.starts.perSecond,
      baseline: d.starts.perSecond,
      unit: '/s',
      note: `baseline: auto; first byte p50 ${r.starts.ttfb.p50?.toFixed(0)} ms, p99 ${r.starts.ttfb.p99?.toFixed(0)} ms; gate+driver ${r.starts.spawnMs.toFixed(0)} ms + boot ${r.starts.readyMs.toFixed(0)} ms; ${r.starts.errors} errors`,
    });
  }
  if (d.resumes)
    rows.push({
      figure: `resumes/s, ${n} paused tenants woken at once (${runtime})`,
      value: d.resumes.perSecond,
      baseline: d.warm.perSecond,
      unit: '/s',
      target: '≥ 300/s',
      met: d.resumes.perSecond >= 300,
      note: `baseline: the same ${n} requests at once while all ran (first byte p50 ${d.warm.ttfb.p50?.toFixed(1)} ms); ${d.resumes.errors} errors; first byte p50 ${d.resumes.ttfb.p50?.toFixed(1)} ms, p99 ${d.resumes.ttfb.p99?.toFixed(0)} ms; ${(d.resumes.perSecond / d.starts.perSecond).toFixed(0)}× the starts/s`,
    });
  ctx.details[`wake.${runtime}`] = details;
  return rows;
}
