#!/usr/bin/env node
// Where the gateway's time goes on the warm proxy path: one gateway (its own
// process, `--cpu-prof`), one tenant on the do-nothing server (or the
// orchestrator with `--orchestrator`), wrk at 64 connections for a few
// seconds, then the profile's top functions by self time, grouped by file.
// Run after `npm run build`:
//   node bench/proxy-profile.mjs [--seconds=5] [--orchestrator] [--top=30]
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from './lib/gateway-process.mjs';
import { jsonRequest } from './lib/http.mjs';
import { runWrk } from './lib/tools.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const seconds = Number(opt('seconds', '5'));
const top = Number(opt('top', '30'));
const tenant = args.includes('--orchestrator') ? 'warm' : 'base-warm';

const { orchestratorEntry } = await import('@silo/gateway');
process.env.BENCH_INSTANCE_ENTRY = orchestratorEntry();
const tmp = mkdtempSync(join(tmpdir(), 'silo-proxy-profile-'));
chmodSync(tmp, 0o711); // the sandboxed instances' uids pass through (o+x)
const profDir = join(tmp, 'prof');
process.env.BENCH_GATEWAY_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${profDir}`;
// A long folder: instances on TCP ports, as in sections/warm-proxy.mjs.
const gw = await startGateway({ dataDir: join(tmp, `gw-${'t'.repeat(100)}`), runtime: 'process' });
try {
  const key = await gw.createTenant(tenant);
  const url = `${gw.url}/api/v1/${tenant}/flows/search`;
  const headers = { authorization: `Bearer ${key}` };
  await jsonRequest(url, { headers });
  await runWrk({ url, headers, connections: 16, seconds: 1 });
  const load = await runWrk({ url, headers, connections: 64, seconds });
  const single = await runWrk({ url, headers, connections: 1, seconds: Math.min(seconds, 3) });
  process.stdout.write(
    `${Math.round(load.rps)} req/s at c=64; p50 ${single.p50} ms at c=1; errors ${load.non2xx + load.socketErrors}\n`,
  );
} finally {
  await gw.stop();
}
const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8'));
// Self time per node: samples × the mean interval.
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const total = profile.samples.length;
const byFn = new Map();
const byFile = new Map();
for (const node of profile.nodes) {
  const n = counts.get(node.id) ?? 0;
  if (n === 0) continue;
  const { functionName, url: src, lineNumber } = node.callFrame;
  const short = src.replace(/^.*node_modules\//, '').replace(/^.*\/(gateway|packages)\//, '$1/');
  const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + n);
  const area =
    short === ''
      ? functionName
      : short
          .replace(/^node:/, 'node:')
          .split('/')
          .slice(0, 3)
          .join('/');
  byFile.set(area, (byFile.get(area) ?? 0) + n);
}
const pct = (n) => `${((100 * n) / total).toFixed(1).padStart(5)} %`;
process.stdout.write(`\ntop functions by self time (${total} samples)\n`);
for (const [k, n] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top))
  process.stdout.write(`${pct(n)}  ${k}\n`);
process.stdout.write('\nby file or package\n');
for (const [k, n] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top))
  process.stdout.write(`${pct(n)}  ${k}\n`);
if (args.includes('--keep')) process.stdout.write(`profile kept: ${join(profDir, file)}\n`);
else rmSync(tmp, { recursive: true, force: true });
