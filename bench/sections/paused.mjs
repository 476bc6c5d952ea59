import { join } from 'node:path';
import { BASELINE_IMAGE, prepareDockerImages } from '../lib/docker-baseline.mjs';
import { metricSum, startGateway } from '../lib/gateway-process.mjs';
import { noKeepAlive, timedRequest } from '../lib/http.mjs';
import { ratio, sleep, summary } from '../lib/stats.mjs';

/** Polls the admin API until the tenant's instance is in `state` (bounded). */
export async function waitState(gw, tenantId, state, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await gw.tenant(tenantId);
    if (view.instance.state === state) return;
    if (Date.now() > deadline)
      throw new Error(`${tenantId} not ${state} within ${timeoutMs} ms (is ${view.instance.state})`);
    await sleep(20);
  }
}

/** Request → first byte on a fresh connection (the gateway's own path; cold, paused or warm). */
async function firstByte(gw, tenantId, key) {
  const res = await timedRequest(`${gw.url}/api/v1/${tenantId}/flows/search`, {
    headers: { authorization: `Bearer ${key}` },
    agent: noKeepAlive,
    timeoutMs: 60_000,
  });
  if (res.status !== 200)
    throw new Error(`${tenantId} answered ${res.status || res.error}: ${res.body?.slice(0, 200)}`);
  return res.ttfbMs;
}

/** The gateway's count of finished freezes. */
const pauses = async (gw) => metricSum(await gw.metrics(), 'silo_pauses_total');

/** One paused → first byte sample: waits for the freeze (`paused`: the count before it), then times the request that resumes it. */
async function pausedSample(gw, tenantId, key, paused) {
  await waitState(gw, tenantId, 'paused');
  // The freeze itself is done: the state moves before the driver's call, the counter after it
  // (a loaded engine's pause takes 100-300 ms; a request meanwhile would time the pause too).
  const deadline = Date.now() + 20_000;
  while ((await pauses(gw)) === paused && Date.now() < deadline) await sleep(10);
  await sleep(20);
  const resumeSum = (m) => metricSum(m, 'silo_resume_duration_seconds_sum') * 1000;
  const before = await gw.metrics();
  const ttfb = await firstByte(gw, tenantId, key);
  // The gateway's own part of it: the resume (driver call) until the slot runs again.
  return { ttfb, resumeCall: resumeSum(await gw.metrics()) - resumeSum(before) };
}

/**
 * (issue 18 §1) The paused tier: request → first byte for a paused tenant
 * (its instance frozen after SILO_PAUSE_AFTER, resumed by the request),
 * beside a cold start of the same tenant and, as the same-run baseline, a
 * request to it while it runs (fresh connection each: the same client cost).
 * Samples interleave warm, paused and (every third round) cold. Its own
 * gateway with a 300 ms pause delay; the other sections' gateways have no
 * paused tier. Docker: a second gateway with SILO_DOCKER_THAW=api (the
 * engine's unpause, what every resume did before the freezer write) takes
 * its paused sample right after the first's, for the thaw's same-run ratio.
 */
export async function pausedResume(ctx, runtime) {
  let baselineImage;
  if (runtime === 'docker') {
    ctx.details.images ??= await prepareDockerImages(join(ctx.tmp, 'baseline-image'), ctx.log);
    baselineImage = BASELINE_IMAGE;
  }
  const common = { runtime, baselineImage, pauseAfter: '300ms', logLevel: 'warn' };
  const gw = await startGateway({ ...common, dataDir: join(ctx.tmp, `gateway-paused-${runtime}`) });
  const api =
    runtime === 'docker'
      ? await startGateway({
          ...common,
          dataDir: join(ctx.tmp, 'gateway-paused-docker-api'),
          dockerThaw: 'api',
        })
      : undefined;
  try {
    const n = ctx.quick ? (runtime === 'docker' ? 3 : 5) : runtime === 'docker' ? 8 : 15;
    const tenantId = `paused-${runtime}`;
    const key = await gw.createTenant(tenantId);
    await firstByte(gw, tenantId, key); // warm-up: the first start, not counted
    const apiKey = api && (await api.createTenant('paused-docker-api'));
    if (api) await firstByte(api, 'paused-docker-api', apiKey);
    const samples = { warm: [], paused: [], cold: [], resumeCall: [], apiPaused: [], apiResumeCall: [] };
    for (let i = 0; i < n; i++) {
      samples.warm.push(await firstByte(gw, tenantId, key));
      const paused = await pauses(gw);
      if (api) await firstByte(api, 'paused-docker-api', apiKey);
      const apiPaused = api && (await pauses(api));
      const fast = await pausedSample(gw, tenantId, key, paused);
      samples.paused.push(fast.ttfb);
      samples.resumeCall.push(fast.resumeCall);
      if (api) {
        const slow = await pausedSample(api, 'paused-docker-api', apiKey, apiPaused);
        samples.apiPaused.push(slow.ttfb);
        samples.apiResumeCall.push(slow.resumeCall);
      }
      if (i % 3 === 0) {
        await gw.stopTenant(tenantId);
        samples.cold.push(await firstByte(gw, tenantId, key));
      }
      ctx.log(
        `  ${runtime} resume ${i + 1}/${n}: paused → first byte ${samples.paused.at(-1).toFixed(1)} ms${api ? ` (engine unpause: ${samples.apiPaused.at(-1).toFixed(1)} ms)` : ''}, warm ${samples.warm.at(-1).toFixed(1)} ms`,
      );
    }
    const p = summary(samples.paused);
    const w = summary(samples.warm);
    const c = summary(samples.cold);
    const r = summary(samples.resumeCall);
    ctx.details[`paused.${runtime}`] = { samples };
    const rows = [
      {
        figure: `resume → first byte p50, paused tenant (${runtime})`,
        value: p.p50,
        baseline: w.p50,
        unit: 'ms',
        target: '≤ 30 ms',
        met: p.p50 <= 30,
        note: `baseline: the same tenant running (fresh connection each); cold start of it p50 ${c.p50?.toFixed(0)} ms (${ratio(c.p50, p.p50)?.toFixed(0)}× the resume)`,
      },
      { figure: `  resume → first byte p95 (${runtime})`, value: p.p95, baseline: w.p95, unit: 'ms' },
      {
        figure: `  resume p50: the gateway's resume (driver ${runtime === 'docker' ? 'freezer write' : 'SIGCONT'} until running)`,
        value: r.p50,
        unit: 'ms',
        note: 'silo_resume_duration_seconds, per sample by difference; the rest of the first byte is the proxy, a new upstream connection and the instance (its overdue timers run first)',
      },
    ];
    if (api) {
      const a = summary(samples.apiPaused);
      rows.push({
        figure: "  resume → first byte p50, SILO_DOCKER_THAW=api (the engine's unpause)",
        value: a.p50,
        baseline: p.p50,
        unit: 'ms',
        note: `same run, its own gateway and tenant, sampled right after each freezer-write sample; its resume call p50 ${summary(samples.apiResumeCall).p50?.toFixed(1)} ms; baseline: the freezer write's first byte`,
      });
    }
    rows.push({
      figure: `  cold start → first byte p50, same gateway (${runtime})`,
      value: c.p50,
      baseline: w.p50,
      unit: 'ms',
    });
    return rows;
  } finally {
    if (api) await closeGateway(api);
    await closeGateway(gw);
  }
}

/** Stops a section's own gateway; with Docker, first purges what it created (`gw.close()`, bench/lib). */
export function closeGateway(gw) {
  return gw.close();
}
