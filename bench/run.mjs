#!/usr/bin/env node
// Silo's benchmark harness: `npm run bench` (full, < 10 min) or
// `npm run bench -- --quick` (< 2 min). Every figure is measured side by side
// with its baseline in the same run and reported as a ratio, because the
// machines this runs on are shared and noisy. Prints one table, writes
// bench/results/<timestamp>.json (with the machine's description) and
// bench/RESULTS.md. Each section is isolated: a failure prints its error and
// the others still run. Needs `npm run build` first (the npm script does it).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Scope, scopes } from './lib/cleanup.mjs';
import { BASELINE_IMAGE, prepareDockerImages } from './lib/docker-baseline.mjs';
import { startGateway } from './lib/gateway-process.mjs';
import { describeMachine } from './lib/machine.mjs';
import { renderMarkdown, renderTable } from './lib/report.mjs';
import { ensureTools } from './lib/tools.mjs';
import { coldStart } from './sections/cold-start.mjs';
import { density } from './sections/density.mjs';
import { engine } from './sections/engine.mjs';
import { fleet } from './sections/fleet.mjs';
import { herd } from './sections/herd.mjs';
import { pausedResume } from './sections/paused.mjs';
import { registryScale } from './sections/registry.mjs';
import { wakeThroughput } from './sections/wake-throughput.mjs';
import { warmProxy } from './sections/warm-proxy.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const keep = args.includes('--keep');
const started = Date.now();
const log = (line) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

if (
  !existsSync(join(ROOT, 'gateway/dist/gateway.js')) ||
  !existsSync(join(ROOT, 'packages/orchestrator/dist/main.js'))
) {
  process.stderr.write(
    'the workspaces are not built: run `npm run bench` (it builds first) or `npm run build`\n',
  );
  process.exit(1);
}

// The instance's entry is chosen once for the whole run (the one-file bundle
// when it is up to date, else dist/main.js) and handed to every gateway child,
// so a `tsc -b` by someone else during the run cannot switch it half-way.
// With its startup snapshot when this node built one (orchestratorCommand).
const { orchestratorCommand } = await import('@silo/gateway');
const instanceCommand = orchestratorCommand();
process.env.BENCH_INSTANCE_COMMAND = JSON.stringify(instanceCommand);
process.env.BENCH_INSTANCE_ENTRY = instanceCommand.at(-1);

log(`Silo benchmark (${quick ? 'quick' : 'full'})`);
log(`instance entry: ${process.env.BENCH_INSTANCE_ENTRY.slice(ROOT.length).replace(/^\//, '')}`);
const machine = describeMachine();
log(
  `machine: ${machine.cpuModel}, ${machine.cores} cores, ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${machine.kernel}, node ${machine.node}, docker ${machine.docker ?? 'none'}`,
);
const tools = ensureTools(['wrk', 'nginx', 'caddy'], log);
for (const [_name, why] of Object.entries(tools.reasons)) log(`missing: ${why}`);

const tmp = mkdtempSync(join(tmpdir(), 'silo-bench-'));
// The process sandbox binds each tenant's data folder as the tenant's uid: it must be able to pass through (o+x).
chmodSync(tmp, 0o711);
const gateways = {};
// Gateways shared by several sections (ctx.gateway) belong to the run, not to the section that started one.
const runScope = new Scope('run');
const sectionScopes = new Set();
// Interrupted (Ctrl-C, SIGTERM): close what every section and the run started, bounded, then exit.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    log(`${signal}: cleaning up (bounded: 60 s, then killed and swept)`);
    await Promise.all([...sectionScopes, runScope].map((s) => s.close(60_000)));
    process.exit(130);
  });
}
const ctx = {
  quick,
  log,
  tools,
  tmp,
  details: {},
  /** One shared gateway per runtime, started on first use. */
  gateway(runtime) {
    gateways[runtime] ??= (async () => {
      let baselineImage;
      if (runtime === 'docker') {
        if (!machine.docker)
          throw new Error('no Docker engine answers (docker version failed): docker rows skipped');
        log(
          'preparing Docker images (orchestrator via the gateway image builder, baseline on the same base)',
        );
        ctx.details.images = await prepareDockerImages(join(tmp, 'baseline-image'), log);
        baselineImage = BASELINE_IMAGE;
      }
      const gw = await startGateway({
        dataDir: join(tmp, `gateway-${runtime}`),
        runtime,
        baselineImage,
        scope: runScope,
      });
      log(`gateway (${runtime}) listening on ${gw.url}, pid ${gw.pid}`);
      return gw;
    })();
    // A failed start is not cached: the next section tries again.
    gateways[runtime].catch(() => {
      delete gateways[runtime];
    });
    return gateways[runtime];
  },
};

const sections = [
  ['cold-process', 'cold start, process driver', () => coldStart(ctx, 'process')],
  ['cold-docker', 'cold start, docker driver', () => coldStart(ctx, 'docker')],
  ['paused-process', 'paused tier resume, process driver', () => pausedResume(ctx, 'process')],
  ['paused-docker', 'paused tier resume, docker driver', () => pausedResume(ctx, 'docker')],
  ['herd-process', 'herd, process driver', () => herd(ctx, 'process')],
  ['herd-docker', 'herd, docker driver', () => herd(ctx, 'docker')],
  ['warm', 'warm proxy', () => warmProxy(ctx)],
  ['engine', 'engine throughput', () => engine(ctx)],
  ['density-process', 'density, process driver', () => density(ctx, 'process')],
  ['density-docker', 'density, docker driver', () => density(ctx, 'docker')],
  ['registry', 'registry scale', () => registryScale(ctx)],
  ['wake-process', 'start throughput, process driver', () => wakeThroughput(ctx, 'process')],
  ['wake-docker', 'start throughput, docker driver', () => wakeThroughput(ctx, 'docker')],
  ['fleet', 'several gateways on PostgreSQL', () => fleet(ctx)],
];

const rows = [];
const sectionLog = [];
// BENCH_SECTION_LIMIT_S: a shorter bound (to check that a timed-out section leaves nothing behind).
const limitMs = (Number(process.env.BENCH_SECTION_LIMIT_S) || (quick ? 90 : 240)) * 1000;
for (const [id, title, run] of sections) {
  if (only && !only.includes(id)) continue;
  const t0 = Date.now();
  log(`── ${title}`);
  const scope = new Scope(id);
  sectionScopes.add(scope);
  let timer;
  // A section may size its work to what is left of its bound (sections/wake-throughput.mjs).
  ctx.deadline = t0 + limitMs;
  try {
    const out = await Promise.race([
      scopes.run(scope, run),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`section did not finish within ${limitMs / 1000} s`)),
          limitMs,
        );
      }),
    ]);
    for (const r of out) rows.push({ section: title, ...r });
    sectionLog.push({ id, title, ok: true, seconds: (Date.now() - t0) / 1000 });
  } catch (err) {
    const message = (err?.message ?? String(err)).split('\n').slice(0, 4).join(' ');
    log(`  FAILED: ${message}`);
    rows.push({ section: title, figure: title, skipped: message });
    sectionLog.push({ id, title, ok: false, error: message, seconds: (Date.now() - t0) / 1000 });
  } finally {
    clearTimeout(timer);
    // Whatever the section left running (all of it when it timed out or threw): its own bound, 150 s,
    // then the gateways still closing are killed and swept (90 s more at most).
    const c0 = Date.now();
    const { closed, killed, results } = await scope.close(150_000);
    sectionScopes.delete(scope);
    const swept = (kind) => results.reduce((n, r) => n + (r?.[kind]?.length ?? 0), 0);
    if (closed + killed > 0)
      log(
        `  cleanup: ${closed} gateway(s) closed${killed ? `, ${killed} killed after 150 s and swept` : ''} in ${((Date.now() - c0) / 1000).toFixed(1)} s; swept after their stop: ${swept('processes')} processes, ${swept('containers')} containers, ${swept('networks')} networks, ${swept('volumes')} volumes`,
      );
  }
}

log('── cleaning up');
await runScope.close(180_000);
if (!keep) rmSync(tmp, { recursive: true, force: true });

const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
const totalSeconds = (Date.now() - started) / 1000;
const result = {
  command,
  mode: quick ? 'quick' : 'full',
  date: new Date(started).toISOString(),
  seconds: totalSeconds,
  commit: gitCommit(),
  machine,
  tools: { found: tools.found, missing: tools.reasons },
  sections: sectionLog,
  rows,
  details: ctx.details,
};
process.stdout.write(`\n${renderTable(rows)}\n`);
mkdirSync(join(HERE, 'results'), { recursive: true });
const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
const jsonPath = join(HERE, 'results', `${stamp}.json`);
writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(HERE, 'RESULTS.md'), renderMarkdown(result));
log(`wrote bench/results/${stamp}.json and bench/RESULTS.md (${totalSeconds.toFixed(0)} s)`);
process.exit(0);

function gitCommit() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    return dirty ? `${head} + uncommitted changes in the work tree` : head;
  } catch {
    return null;
  }
}
