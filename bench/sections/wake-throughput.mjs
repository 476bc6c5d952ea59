import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE_IMAGE, prepareDockerImages } from '../lib/docker-baseline.mjs';
import { metricSum, processInstance, startGateway } from '../lib/gateway-process.mjs';
import { noKeepAlive, timedRequest } from '../lib/http.mjs';
import { pool, sleep, summary } from '../lib/stats.mjs';

/**
 * Every tenant gets one request at the same instant; resolves when all have
 * answered or `budgetMs` passed (then `unanswered` counts those still waiting).
 * The rate counts answered requests (200) over the wall time.
 */
async function wakeAll(gw, ids, keys, budgetMs = 210_000) {
  const started = performance.now();
  const results = await Promise.all(
    ids.map((id, i) =>
      timedRequest(`${gw.url}/api/v1/${id}/${id.startsWith('base-') ? 'ping' : 'flows/search'}`, {
        headers: { authorization: `Bearer ${keys[i]}` },
        agent: noKeepAlive,
        timeoutMs: Math.max(1_000, budgetMs),
      }),
    ),
  );
  const wallMs = performance.now() - started;
  const ok = results.filter((r) => r.status === 200);
  const unanswered = results.filter((r) => r.status === 0 && /no answer within/.test(r.error ?? '')).length;
  return {
    n: ids.length,
    answered: ok.length,
    wallMs,
    perSecond: (ok.length / wallMs) * 1000,
    errors: results.length - ok.length - unanswered,
    unanswered,
    firstError: results.find((r) => r.status !== 200 && !/no answer within/.test(r.error ?? '')),
    poolError: results.find((r) => r.status !== 200 && POOL_EXHAUSTED.test(r.body ?? ''))?.body,
    ttfb: summary(ok.map((r) => r.ttfbMs)),
  };
}

/** CPU time (user + system, ms) a process has used; 0 when it is gone. 10 ms resolution. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** CPU (ms) of the gateway and of the tenants' process instances now (Docker instances: not counted). */
function cpuNow(gw, ids) {
  let instances = 0;
  if (gw.runtime === 'process')
    for (const id of ids) {
      const pid = processInstance(gw.dataDir, id)?.pid;
      if (pid) instances += cpuMs(pid);
    }
  return { gateway: cpuMs(gw.pid), instances };
}

/** `burst()` with the CPU the gateway and the instances spent on it, per request (ms). */
async function withCpu(gw, ids, burst) {
  const before = cpuNow(gw, ids);
  const r = await burst();
  const after = cpuNow(gw, ids);
  r.cpuPerRequest = {
    gateway: (after.gateway - before.gateway) / ids.length,
    instances: gw.runtime === 'process' ? (after.instances - before.instances) / ids.length : undefined,
  };
  return r;
}

/** Polls `/admin/v1/status` until `count` instances are paused (bounded). */
async function waitPaused(gw, count, timeoutMs = 90_000) {
  const started = Date.now();
  const deadline = started + timeoutMs;
  for (;;) {
    const status = await gw.admin('GET', '/status');
    if ((status.instances.paused ?? 0) >= count) return Date.now() - started;
    if (Date.now() > deadline)
      throw new Error(`${status.instances.paused ?? 0} of ${count} paused within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Mean per start of a phase of `silo_cold_start_duration_seconds` between two scrapes (ms). */
const phaseMean = (before, after, phase) => {
  const sum = (m) => metricSum(m, 'silo_cold_start_duration_seconds_sum', { phase }) * 1000;
  const count = (m) => metricSum(m, 'silo_cold_start_duration_seconds_count', { phase });
  return (sum(after) - sum(before)) / Math.max(1, count(after) - count(before));
};

/** Mean gateway resume (driver call until running) between two scrapes (ms). */
const resumeMean = (before, after) => {
  const sum = (m) => metricSum(m, 'silo_resume_duration_seconds_sum') * 1000;
  const count = (m) => metricSum(m, 'silo_resume_duration_seconds_count');
  return (sum(after) - sum(before)) / Math.max(1, count(after) - count(before));
};

/** Where a start's time went, from the gateway's histogram: means per start (ms). */
function startPhases(before, after) {
  const spawn = phaseMean(before, after, 'spawn');
  const gate = phaseMean(before, after, 'gate');
  const driver = phaseMean(before, after, 'driver');
  return { prepare: spawn - gate - driver, gate, driver, boot: phaseMean(before, after, 'ready') };
}

const fmtPhases = (p) =>
  `per start: registry+evict ${p.prepare.toFixed(0)} ms, gate queue ${p.gate.toFixed(0)} ms, driver start call ${p.driver.toFixed(0)} ms, boot to /readyz ${p.boot.toFixed(0)} ms`;

/** Docker ran out of address space for one more bridge network (one per tenant). */
const POOL_EXHAUSTED =
  /non-overlapping|address pools? (have been )?(fully )?(subnetted|exhausted)|available.*address pool/i;

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

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** "200 of 200 answered in 61.0 s, 0 errors" (and how many still waited when the burst's budget ran out). */
const answeredIn = (r) =>
  `${r.answered} of ${r.n} answered in ${secs(r.wallMs)}, ${r.errors} errors${r.unanswered ? `, ${r.unanswered} still waiting at the bound` : ''}`;

/** "CPU per request: gateway 0.41 ms, instances 1.20 ms" (10 ms clock ticks over the whole burst). */
const fmtCpu = (r) =>
  `CPU per request: gateway ${r.cpuPerRequest.gateway.toFixed(2)} ms${r.cpuPerRequest.instances !== undefined ? `, instances ${r.cpuPerRequest.instances.toFixed(2)} ms` : ''}`;

/** The first failed request, in short (kept in the details). */
const shortError = (e) => e && { status: e.status, error: e.error, body: e.body?.slice(0, 300) };

/**
 * One round: a fresh gateway (SILO_START_CONCURRENCY = c), N tenants woken
 * at once; with `withResumes`, then the same burst while all run (warm), and,
 * once all are paused (SILO_PAUSE_AFTER 5 s), the same burst again (resumes).
 */
async function round(ctx, runtime, { n, c, prefix, withResumes, baselineImage, share }) {
  const gw = await startGateway({
    dataDir: join(ctx.tmp, `gateway-wake-${runtime}-${prefix}${c}`),
    runtime,
    baselineImage,
    // 5 s: long enough that the burst right after the resumes (the baseline) finds them all still running.
    pauseAfter: withResumes ? '5s' : 'off',
    startConcurrency: c,
    // Every request waits for its start however long the queue (SILO_START_TIMEOUT counts the hold):
    // the burst measures throughput, not how many give up.
    startTimeout: '200s',
    maxRunning: n + 10,
    logLevel: process.env.BENCH_WAKE_LOG ?? 'warn',
  });
  try {
    const ids = Array.from({ length: n }, (_, i) => `${prefix}wake-${runtime}-${i}`);
    const keys = await pool(n, 8, (i) => gw.createTenant(ids[i]));
    // The start burst's share of what is left of the section's bound (a loaded machine: fewer answer), 60 s
    // kept for closing: a gateway with starts still queued at its gate took 31–45 s to stop at load 20–40.
    const budgetMs = Math.min(210_000, share * (ctx.deadline - Date.now() - 60_000));
    let before = await gw.metrics();
    const waking = wakeAll(gw, ids, keys, budgetMs);
    const limits = c === 'auto' ? await sampleGate(gw, waking) : [];
    const starts = await waking;
    let after = await gw.metrics();
    starts.phases = startPhases(before, after);
    starts.limits = limits;
    starts.chosen = limits.length ? summary(limits).p50 : undefined;
    if (starts.poolError)
      throw new Error(
        `Docker's address pool is exhausted after ${starts.answered} of ${n} tenants (one bridge network per tenant; a default pool holds ~30): start dockerd with a larger --default-address-pool or lower BENCH_WAKE_N. The engine said: ${starts.poolError.slice(0, 200)}`,
      );
    ctx.log(
      `  ${runtime} ${prefix || 'orchestrator '}c=${label(c)}: ${starts.answered} of ${n} starts answered in ${secs(starts.wallMs)} (${starts.perSecond.toFixed(1)}/s, ${starts.errors} errors${starts.unanswered ? `, ${starts.unanswered} still waiting at the burst's share of the bound, ${secs(budgetMs)}` : ''})`,
    );
    let resumes;
    let warm;
    // Resumes need every tenant up (starts still queued would share the cores with the resume burst).
    if (withResumes && starts.unanswered === 0) {
      // A second request each while all run: the instances' first requests after their boot are done.
      const settle = await wakeAll(gw, ids, keys);
      // Background CPU while all run and none is asked anything (2 s, before SILO_PAUSE_AFTER freezes them):
      // what the bursts' CPU per request includes beside the requests themselves.
      await sleep(100);
      const idle0 = cpuNow(gw, ids);
      const t0 = performance.now();
      await sleep(2_000);
      const idle1 = cpuNow(gw, ids);
      const idleS = (performance.now() - t0) / 1000;
      const idle = {
        gatewayMsPerS: (idle1.gateway - idle0.gateway) / idleS,
        instancesMsPerS: (idle1.instances - idle0.instances) / idleS,
      };
      const pausedMs = await waitPaused(gw, n);
      ctx.log(`  all ${n} paused ${secs(pausedMs)} after a burst to the running instances`);
      await sleep(200);
      before = await gw.metrics();
      resumes = await withCpu(gw, ids, () => wakeAll(gw, ids, keys));
      after = await gw.metrics();
      resumes.resumeCallMs = resumeMean(before, after);
      // The same burst at once while all run (within SILO_PAUSE_AFTER of the resumes, fresh connections,
      // the same instances just thawed): the ceiling a resume burst is measured against.
      warm = await withCpu(gw, ids, () => wakeAll(gw, ids, keys));
      const pausedNow = (await gw.admin('GET', '/status')).instances.paused ?? 0;
      warm.pausedDuring = pausedNow;
      resumes.settle = { perSecond: settle.perSecond, p50: settle.ttfb.p50 };
      resumes.idle = idle;
      ctx.log(
        `  idle, all ${n} running: gateway ${idle.gatewayMsPerS.toFixed(0)} CPU ms/s${runtime === 'process' ? `, instances ${idle.instancesMsPerS.toFixed(0)} CPU ms/s` : ''}`,
      );
    }
    const t0 = performance.now();
    await gw.close();
    const closeMs = performance.now() - t0;
    ctx.log(
      `  ${runtime} ${prefix || 'orchestrator '}c=${label(c)}: ${answeredIn(starts)} (${starts.perSecond.toFixed(1)}/s, first byte p50 ${starts.ttfb.p50?.toFixed(0)} ms p95 ${starts.ttfb.p95?.toFixed(0)} ms, ${fmtPhases(starts.phases)}${starts.chosen !== undefined ? `, auto bound p50 ${starts.chosen} (${Math.min(...limits)}–${Math.max(...limits)})` : ''})${resumes ? `; resumes ${resumes.perSecond.toFixed(0)}/s in ${resumes.wallMs.toFixed(0)} ms (p50 ${resumes.ttfb.p50?.toFixed(1)} ms, p95 ${resumes.ttfb.p95?.toFixed(1)} ms, resume call ${resumes.resumeCallMs.toFixed(1)} ms, ${resumes.errors} errors, ${fmtCpu(resumes)}); warm ${warm.perSecond.toFixed(0)}/s (p50 ${warm.ttfb.p50?.toFixed(1)} ms, ${fmtCpu(warm)})` : ''}; closed (${n} stopped${gw.runtime === 'docker' ? ' and purged' : ''}) in ${(closeMs / 1000).toFixed(1)} s`,
    );
    for (const [what, r] of [
      ['start', starts],
      ['resume', resumes],
    ]) {
      if (r?.firstError)
        ctx.log(
          `    first failed ${what}: ${r.firstError.status || r.firstError.error} ${r.firstError.body?.slice(0, 200) ?? ''}`,
        );
    }
    for (const r of [starts, resumes, warm]) if (r) r.firstError = shortError(r.firstError);
    return { n, starts, resumes, warm, closeMs };
  } finally {
    await gw.close();
  }
}

/**
 * (issue 18 §5) Start throughput: N tenants woken at once (one request each,
 * all in the same instant, as schedules due at :00 would without the wake
 * spread) through a fresh gateway at SILO_START_CONCURRENCY=auto: starts/s,
 * wall time, first byte p50/p95, and where a start's time went (the gateway's
 * histogram: registry + eviction, waiting at the start gate, the driver's
 * start call, the boot until /readyz). Then, once all are paused
 * (SILO_PAUSE_AFTER 5 s), the same N woken again: resumes/s (a resume does
 * not pass the start gate), against the same burst sent while all ran. Same-run
 * baseline of the starts: N do-nothing servers woken the same way.
 *
 * N: process 200 (quick 16); Docker 30 (not in --quick: one bridge network per
 * tenant, and CI's default address pool holds ~30; a clear error when the pool
 * runs out). 200 Docker starts at the ~3/s this 2-core machine does would take
 * more than the section's bound, twice (orchestrator and baseline); 30 take
 * ≈ 60 s on a quiet machine, 20 took 162 s at load 12.
 * BENCH_WAKE_N overrides N; BENCH_WAKE_C (e.g. `1,2,4,8,auto`) adds a sweep of
 * fixed bounds (fresh gateway each; a bench of its own, it does not fit the bound).
 */
export async function wakeThroughput(ctx, runtime) {
  if (runtime === 'docker' && ctx.quick && !process.env.BENCH_WAKE_N)
    return [
      {
        figure: 'starts/s and resumes/s, Docker',
        skipped:
          'not in --quick: one bridge network per tenant, and a default Docker address pool holds ~30 (run without --quick, or --only=wake-docker)',
      },
    ];
  const n = Number(process.env.BENCH_WAKE_N) || (runtime === 'docker' ? 30 : ctx.quick ? 16 : 200);
  const sweep = (process.env.BENCH_WAKE_C?.split(',') ?? [])
    .map((c) => (c === 'auto' ? 'auto' : Number(c)))
    .filter((c) => c !== 'auto');
  let baselineImage;
  if (runtime === 'docker') {
    ctx.details.images ??= await prepareDockerImages(join(ctx.tmp, 'baseline-image'), ctx.log);
    baselineImage = BASELINE_IMAGE;
  }
  const opts = { n, baselineImage };
  const details = {};
  // Shares of the time left (ctx.deadline, the runner's bound): the orchestrator's burst about half, the
  // baseline's (a do-nothing server, several times faster) most of what is then left; the rest is the margin.
  const a = { ...opts, c: 'auto', prefix: '' };
  details.auto = await round(ctx, runtime, { ...a, withResumes: true, share: 0.5 });
  details.baseline = await round(ctx, runtime, { ...a, prefix: 'base-', withResumes: false, share: 0.6 });
  for (const c of sweep)
    details[label(c)] = await round(ctx, runtime, { ...opts, c, prefix: '', withResumes: false, share: 0.5 });
  ctx.details[`wake.${runtime}`] = details;

  const d = details.auto;
  const base = details.baseline;
  const target = runtime === 'docker' ? 30 : undefined;
  const rows = [
    {
      figure: `starts/s, ${n} tenants woken at once (${runtime}, SILO_START_CONCURRENCY=auto)`,
      value: d.starts.perSecond,
      baseline: base.starts.perSecond,
      unit: '/s',
      ...(target ? { target: `≥ ${target}/s`, met: d.starts.perSecond >= target } : {}),
      note: `${answeredIn(d.starts)}; first byte p50 ${secs(d.starts.ttfb.p50 ?? 0)}, p95 ${secs(d.starts.ttfb.p95 ?? 0)}; ${fmtPhases(d.starts.phases)}${d.starts.chosen !== undefined ? `; auto bound p50 ${d.starts.chosen} (${Math.min(...d.starts.limits)}–${Math.max(...d.starts.limits)})` : ''}. Baseline: ${n} do-nothing servers, same settings (${answeredIn(base.starts)}; ${fmtPhases(base.starts.phases)})${runtime === 'docker' ? `. ${n} (not 200): 200 Docker starts at this machine's rate, twice (orchestrator + baseline), do not fit the section's bound` : ''}`,
    },
  ];
  if (d.resumes)
    rows.push({
      figure: `resumes/s, ${n} paused tenants woken at once (${runtime})`,
      value: d.resumes.perSecond,
      baseline: d.warm.perSecond,
      unit: '/s',
      target: '≥ 300/s',
      met: d.resumes.perSecond >= 300,
      note: `${d.resumes.answered} of ${n} in ${d.resumes.wallMs.toFixed(0)} ms, ${d.resumes.errors + d.resumes.unanswered} errors; first byte p50 ${d.resumes.ttfb.p50?.toFixed(1)} ms, p95 ${d.resumes.ttfb.p95?.toFixed(1)} ms; the gateway's resume (driver ${runtime === 'docker' ? "freezer write, or the engine's unpause where the freezer is out of reach," : 'SIGCONT'} until running) ${d.resumes.resumeCallMs.toFixed(1)} ms per resume, the rest is the proxy and the thawed instance; ${fmtCpu(d.resumes)} (baseline: ${fmtCpu(d.warm)}; idle, all running: gateway ${d.resumes.idle.gatewayMsPerS.toFixed(0)}${runtime === 'process' ? ` and instances ${d.resumes.idle.instancesMsPerS.toFixed(0)}` : ''} CPU ms/s). Baseline: the same ${n} requests at once right after, while all ran (${d.warm.wallMs.toFixed(0)} ms, first byte p50 ${d.warm.ttfb.p50?.toFixed(1)} ms${d.warm.pausedDuring ? `; ${d.warm.pausedDuring} paused again meanwhile` : ''})`,
    });
  else
    rows.push({
      figure: `resumes/s, ${n} paused tenants woken at once (${runtime})`,
      skipped: `not measured: ${d.starts.unanswered} of the ${n} starts had not answered within the start burst's share of the section's bound (a loaded machine)`,
    });
  for (const c of sweep) {
    const r = details[label(c)];
    rows.push({
      figure: `  starts/s at SILO_START_CONCURRENCY=${label(c)} (${runtime})`,
      value: r.starts.perSecond,
      baseline: d.starts.perSecond,
      unit: '/s',
      note: `baseline: auto; ${answeredIn(r.starts)}; first byte p50 ${secs(r.starts.ttfb.p50 ?? 0)}, p95 ${secs(r.starts.ttfb.p95 ?? 0)}; ${fmtPhases(r.starts.phases)}`,
    });
  }
  return rows;
}
