import { readFileSync } from 'node:fs';
import { containerPid } from '../lib/docker-baseline.mjs';
import { processInstance } from '../lib/gateway-process.mjs';
import { isAlive, processMemory, treeMemory } from '../lib/memory.mjs';
import { pool, sleep } from '../lib/stats.mjs';

const MB60 = 60 * 1024 * 1024;

function instancePid(gw, tenantId) {
  if (gw.runtime === 'docker') return containerPid(tenantId);
  return processInstance(gw.dataDir, tenantId)?.pid;
}

async function idleMemory(gw, tenantId) {
  await gw.createTenant(tenantId);
  await gw.startTenant(tenantId);
  await sleep(2_000);
  const pid = instancePid(gw, tenantId);
  const mem = pid ? treeMemory(pid) : undefined;
  if (!mem) throw new Error(`no live process for ${tenantId}`);
  return { ...mem, entry: gw.runtime === 'docker' ? undefined : entryOf(pid) };
}

/** The script a process instance runs (the orchestrator's one-file bundle, or dist/main.js when it is stale). */
function entryOf(pid) {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const script = argv.at(-1) ?? '';
    return script.split('/').slice(-3).join('/');
  } catch {
    return undefined;
  }
}

/**
 * (5) Density: USS/PSS/RSS of an idle instance against the do-nothing server
 * started the same way; then `count` tenants started at once, their total
 * memory and the gateway's own; then all stopped: what is left.
 */
export async function density(ctx, runtime) {
  const gw = await ctx.gateway(runtime);
  const rows = [];
  const o = await idleMemory(gw, `idle-${runtime}`);
  const b = await idleMemory(gw, `base-idle-${runtime}`);
  ctx.log(
    `  idle ${runtime}: orchestrator RSS ${(o.rss / 2 ** 20).toFixed(1)} MB, baseline ${(b.rss / 2 ** 20).toFixed(1)} MB`,
  );
  rows.push(
    {
      figure: `idle instance RSS (${runtime})`,
      value: o.rss,
      baseline: b.rss,
      unit: 'bytes',
      target: '≤ 60 MB',
      met: o.rss <= MB60,
      note: `${o.processes} process(es)${o.entry ? `; runs ${o.entry}` : ''}`,
    },
    { figure: `  idle instance PSS (${runtime})`, value: o.pss, baseline: b.pss, unit: 'bytes' },
    { figure: `  idle instance USS (${runtime})`, value: o.uss, baseline: b.uss, unit: 'bytes' },
  );
  await gw.stopTenant(`idle-${runtime}`);
  await gw.stopTenant(`base-idle-${runtime}`);

  const count = runtime === 'docker' ? (ctx.quick ? 5 : 20) : ctx.quick ? 20 : 100;
  const gatewayBefore = processMemory(gw.pid);
  const ids = Array.from({ length: count }, (_, i) => `many-${runtime}-${String(i).padStart(3, '0')}`);
  for (const id of ids) await gw.admin('POST', '/tenants', { id });
  const t0 = performance.now();
  await pool(count, 4, (i) => gw.startTenant(ids[i]));
  const startSeconds = (performance.now() - t0) / 1000;
  await sleep(2_000);
  const total = { rss: 0, pss: 0, uss: 0, live: 0 };
  const pids = [];
  for (const id of ids) {
    const pid = instancePid(gw, id);
    const mem = pid ? treeMemory(pid) : undefined;
    if (!mem) continue;
    pids.push(pid);
    total.live++;
    total.rss += mem.rss;
    total.pss += mem.pss;
    total.uss += mem.uss;
  }
  const gatewayLoaded = processMemory(gw.pid);
  ctx.log(
    `  ${count} ${runtime} tenants started in ${startSeconds.toFixed(1)} s: ${total.live} live, PSS ${(total.pss / 2 ** 20).toFixed(0)} MB, USS ${(total.uss / 2 ** 20).toFixed(0)} MB`,
  );
  const stopErrors = [];
  await pool(count, 4, (i) =>
    gw.stopTenant(ids[i]).catch((err) => {
      stopErrors.push(`${ids[i]}: ${err.message.split('\n')[0]}`);
    }),
  );
  if (stopErrors.length > 0) ctx.log(`  ${stopErrors.length} stop call(s) failed, first: ${stopErrors[0]}`);
  await sleep(stopErrors.length > 0 ? 5_000 : 0);
  await sleep(1_000);
  const left = pids.filter((pid) => isAlive(pid));
  const leftMemory = left.reduce((sum, pid) => sum + (treeMemory(pid)?.rss ?? 0), 0);
  const gatewayAfter = processMemory(gw.pid);
  rows.push(
    {
      figure: `${count} tenants running (${runtime}): live instances`,
      value: total.live,
      baseline: count,
      unit: '',
      target: `= ${count}`,
      met: total.live === count,
      note: `started 4 at a time in ${startSeconds.toFixed(1)} s`,
    },
    {
      figure: `  ${count} tenants (${runtime}): total PSS`,
      value: total.pss,
      unit: 'bytes',
      note: `${(total.pss / count / 2 ** 20).toFixed(1)} MB per tenant`,
    },
    {
      figure: `  ${count} tenants (${runtime}): total USS`,
      value: total.uss,
      unit: 'bytes',
      note: `${(total.uss / count / 2 ** 20).toFixed(1)} MB per tenant`,
    },
    {
      figure: `  ${count} tenants (${runtime}): total RSS (shared pages counted per process)`,
      value: total.rss,
      unit: 'bytes',
    },
    {
      figure: `  gateway RSS with ${count} running (${runtime})`,
      value: gatewayLoaded?.rss,
      baseline: gatewayBefore?.rss,
      unit: 'bytes',
      note: 'baseline: the same gateway before the starts',
    },
    {
      figure: `stopped tenants' memory (${runtime})`,
      value: leftMemory,
      unit: 'bytes',
      target: '= 0',
      met: left.length === 0,
      note: `${left.length} of ${pids.length} instance processes left after stop${stopErrors.length ? ` (${stopErrors.length} stop calls failed: ${stopErrors[0]})` : ''}; gateway RSS after ${((gatewayAfter?.rss ?? 0) / 2 ** 20).toFixed(1)} MB`,
    },
  );
  ctx.details[`density.${runtime}`] = {
    idle: { orchestrator: o, baseline: b },
    count,
    startSeconds,
    total,
    gatewayBefore,
    gatewayLoaded,
    gatewayAfter,
    left: left.length,
  };
  return rows;
}
