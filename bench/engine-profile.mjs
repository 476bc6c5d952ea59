#!/usr/bin/env node
// The engine row of the benchmark (bench/sections/engine.mjs: the 3-task
// flow, `?wait=true`, 4 in flight), on its own, to profile the instance and
// to compare builds: `node bench/engine-profile.mjs [options] [entry ...]`.
//
//   entry ...          instance entries to compare (default: the built bundle,
//                      packages/orchestrator/dist/bundle/main.js); e.g. a copy
//                      of an older bundle kept under packages/orchestrator/dist/
//   --rounds=N         interleaved rounds (default 3): each round runs every
//                      entry and target once, in an order that alternates
//   --count=N          executions per entry, target and round (default 600)
//   --concurrency=N    executions in flight (default 4, as the bench)
//   --gateway          also through a gateway (process runtime) per entry,
//                      beside direct to an instance of the same entry
//   --cpu-prof         one direct instance per entry under `node --cpu-prof`;
//                      after the rounds, prints the profile's top self-time
//                      items (the .cpuprofile is kept; its path is printed)
//   --gateway-a=FILE   with --gateway: also through a gateway of another build
//                      (its index.js, e.g. a copy of gateway/dist made before a
//                      change), target `gateway-a`, interleaved with this one
//   --gateway-prof     the gateways under `node --cpu-prof` too (with --gateway):
//                      prints each gateway's top self-time items after the rounds
//   --top=N            items printed per profile (default 15)
//
// Prints, per entry and target, executions/s (count / wall time of the
// batch), create→SUCCESS p50/p99 and the CPU time the instance (and the
// gateway) spent per execution (utime + stime from /proc: far less sensitive
// than wall time to a machine loaded by others; the instance's with its
// process tree, the gateway's its own process alone: the process runtime's
// instance is the gateway's child), medians over the rounds,
// with the load average before and after; ratios against the first entry.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { processInstance, startGateway } from './lib/gateway-process.mjs';
import { keepAlive, timedRequest, waitForHttp } from './lib/http.mjs';
import { freePort } from './lib/proxies.mjs';
import { pool, summary } from './lib/stats.mjs';
import { THREE_TASKS } from './sections/engine.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) =>
  Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const rounds = opt('rounds', 3);
const count = opt('count', 600);
const concurrency = opt('concurrency', 4);
const top = opt('top', 15);
const viaGateway = args.includes('--gateway');
const cpuProf = args.includes('--cpu-prof');
const gatewayProf = args.includes('--gateway-prof');
const gatewayA = args.find((a) => a.startsWith('--gateway-a='))?.split('=')[1];
const entries = args.filter((a) => !a.startsWith('--')).map((e) => resolve(e));
if (entries.length === 0) entries.push(join(ROOT, 'packages/orchestrator/dist/bundle/main.js'));
const TOKEN = 'bench-engine-profile-token';
const TENANT = 'engine';

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const cpuText = (cpu) => cpu.map((c) => c?.toFixed(3) ?? '?').join(' + ');
const label = (entry) => relative(ROOT, dirname(entry)) || basename(entry);

async function deploy(base, headers) {
  const res = await timedRequest(`${base}/api/v1/${TENANT}/flows`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-yaml' },
    body: THREE_TASKS,
  });
  if (![200, 201, 409].includes(res.status)) throw new Error(`deploy answered ${res.status || res.error}`);
}

async function execute(target) {
  const res = await timedRequest(`${target.base}/api/v1/${TENANT}/executions/bench/three-tasks?wait=true`, {
    method: 'POST',
    headers: target.headers,
    agent: keepAlive,
    timeoutMs: 60_000,
  });
  let state;
  try {
    state = JSON.parse(res.body).state?.current;
  } catch {}
  return { ms: res.totalMs, state };
}

/** utime + stime (ms) and parent pid of every process, from /proc. */
function processTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ');
      // state ppid ... utime (14th field of stat, 12th after the name) stime; ticks of 1/100 s.
      table.set(Number(name), {
        ppid: Number(fields[1]),
        ms: (Number(fields[11]) + Number(fields[12])) * 10,
      });
    } catch {}
  }
  return table;
}

/**
 * CPU time (user + system, ms) of process `pid` and its live descendants (a sandbox wraps the
 * instance); `{ self: pid }`: that process alone (a gateway, whose children are its instances).
 */
function cpuMs(which, table = processTable()) {
  if (typeof which === 'object') return table.get(which.self)?.ms ?? 0;
  const pid = which;
  let total = 0;
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop();
    total += table.get(p)?.ms ?? 0;
    for (const [child, info] of table) if (info.ppid === p) todo.push(child);
  }
  return total;
}

async function batch(target, n) {
  const t = processTable();
  const cpu0 = target.pids.map((pid) => cpuMs(pid, t));
  const t0 = performance.now();
  const runs = await pool(n, concurrency, () => execute(target));
  const wallMs = performance.now() - t0;
  const t1 = processTable();
  const cpu = target.pids.map((pid, i) => (cpuMs(pid, t1) - cpu0[i]) / n);
  const ok = runs.filter((r) => r.state === 'SUCCESS');
  const lat = summary(ok.map((r) => r.ms));
  return { perSecond: (n / wallMs) * 1000, p50: lat.p50, p99: lat.p99, ok: ok.length, n, cpu };
}

/** One instance of `entry`, started directly (as the process driver would, without sandbox). */
async function startInstance(entry, dir) {
  const port = await freePort();
  const profDir = join(dir, 'prof');
  const child = spawn(
    process.execPath,
    [...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), entry],
    {
      env: {
        ...process.env,
        SILO_TENANT_ID: TENANT,
        SILO_DATA_DIR: join(dir, 'data'),
        SILO_PORT: String(port),
        SILO_INSTANCE_TOKEN: TOKEN,
        SILO_LOG_LEVEL: 'warn',
        SILO_KESTRA_VERSION: '2.0',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  const headers = { 'x-silo-instance-token': TOKEN };
  await waitForHttp(`${base}/readyz`, 30_000, headers);
  await deploy(base, headers);
  return {
    target: { base, headers, pids: [child.pid] },
    profDir,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Top self-time items of a .cpuprofile: function, file:line, ms, share of samples. */
function topItems(file, n) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const totalUs = prof.endTime - prof.startTime;
  const hits = prof.nodes.reduce((a, node) => a + (node.hitCount ?? 0), 0);
  const byKey = new Map();
  for (const node of prof.nodes) {
    const f = node.callFrame;
    const where = f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    byKey.set(key, (byKey.get(key) ?? 0) + (node.hitCount ?? 0));
  }
  return [...byKey.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, h]) => ({ key, ms: ((h / hits) * totalUs) / 1000, share: h / hits }));
}

const tmp = mkdtempSync(join(tmpdir(), 'silo-engine-profile-'));
// The process sandbox binds each tenant's data folder as the tenant's uid: it must be able to pass through.
chmodSync(tmp, 0o711);
const setups = [];
/** The gateways started (--gateway), for their profiles. */
const gateways = [];
const started = [];
try {
  process.stdout.write(`load average before: ${load()}\n`);
  for (const [i, entry] of entries.entries()) {
    const direct = await startInstance(entry, mkdtempSync(join(tmp, `direct-${i}-`)));
    started.push(direct);
    const targets = { direct: direct.target };
    // The gateway builds: this workspace's (target `gateway`) and, with --gateway-a, another one.
    const builds = viaGateway ? [['gateway', undefined]] : [];
    if (viaGateway && gatewayA !== undefined) builds.unshift(['gateway-a', gatewayA]);
    for (const [name, module] of builds) {
      process.env.BENCH_INSTANCE_ENTRY = entry;
      if (module !== undefined) process.env.BENCH_GATEWAY_MODULE = pathToFileURL(resolve(module)).href;
      const gwProfDir = join(tmp, `${name}-prof-${i}`);
      if (gatewayProf) process.env.BENCH_GATEWAY_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${gwProfDir}`;
      const gw = await startGateway({ dataDir: join(tmp, `${name}-${i}`), runtime: 'process' });
      delete process.env.BENCH_GATEWAY_NODE_ARGS;
      delete process.env.BENCH_GATEWAY_MODULE;
      gw.profDir = gwProfDir;
      started.push(gw);
      const key = await gw.createTenant(TENANT);
      const headers = { authorization: `Bearer ${key}` };
      await deploy(gw.url, headers);
      const record = processInstance(gw.dataDir, TENANT);
      // CPU: the instance's (its process tree: a sandbox wraps it), then the gateway's own (not its
      // children's: the instance is one of them).
      targets[name] = { base: gw.url, headers, pids: [record.pid, { self: gw.pid }] };
      gateways.push({ label: `${label(entry)} ${name}`, gw });
    }
    // Warm-up (JIT, SQLite cache): not counted.
    for (const t of Object.values(targets)) await batch(t, 40);
    setups.push({ entry, label: label(entry), targets, direct, results: {} });
  }
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? setups : [...setups].reverse();
    for (const s of order) {
      const names = Object.keys(s.targets);
      for (const name of r % 2 === 0 ? names : [...names].reverse()) {
        const res = await batch(s.targets[name], count);
        s.results[name] = [...(s.results[name] ?? []), res];
        process.stdout.write(
          `round ${r + 1} ${s.label} ${name}: ${res.perSecond.toFixed(0)} exec/s, p50 ${res.p50?.toFixed(2)} ms, p99 ${res.p99?.toFixed(2)} ms, CPU ms/exec ${cpuText(res.cpu)}, ${res.ok}/${res.n} SUCCESS (load ${load()})\n`,
        );
      }
    }
  }
  process.stdout.write(
    `load average after: ${load()}\n\nmedians of ${rounds} rounds, ${count} executions each, c=${concurrency}:\n`,
  );
  const med = (xs) => summary(xs).p50;
  const first = setups[0];
  for (const s of setups) {
    for (const [name, rs] of Object.entries(s.results)) {
      const perSecond = med(rs.map((x) => x.perSecond));
      const p50 = med(rs.map((x) => x.p50));
      const cpu = rs[0].cpu.map((_, i) => med(rs.map((x) => x.cpu[i])));
      const base = first.results[name];
      const vs =
        s === first
          ? ''
          : `, ${(perSecond / med(base.map((x) => x.perSecond))).toFixed(2)}× exec/s and ${(p50 / med(base.map((x) => x.p50))).toFixed(2)}× p50 of ${first.label}`;
      process.stdout.write(
        `  ${s.label} ${name}: ${perSecond.toFixed(0)} exec/s, p50 ${p50.toFixed(2)} ms, p99 ${med(rs.map((x) => x.p99)).toFixed(2)} ms, CPU ms/exec ${cpuText(cpu)}${vs}\n`,
      );
    }
  }
} finally {
  for (const s of started.reverse()) await s.stop().catch(() => {});
}
const printTop = (file) => {
  for (const item of topItems(file, top))
    process.stdout.write(
      `  ${(item.share * 100).toFixed(1).padStart(5)} %  ${item.ms.toFixed(0).padStart(6)} ms  ${item.key}\n`,
    );
};
for (const { label: name, gw } of gatewayProf ? gateways : []) {
  for (const f of readdirSync(gw.profDir).filter((f) => f.endsWith('.cpuprofile'))) {
    process.stdout.write(`\nprofile of ${name}: ${join(gw.profDir, f)}\n`);
    printTop(join(gw.profDir, f));
  }
}
if (cpuProf) {
  for (const s of setups) {
    const files = readdirSync(s.direct.profDir).filter((f) => f.endsWith('.cpuprofile'));
    for (const f of files) {
      const file = join(s.direct.profDir, f);
      process.stdout.write(`\nprofile of ${s.label} (direct instance): ${file}\n`);
      printTop(file);
    }
  }
} else if (!gatewayProf) {
  rmSync(tmp, { recursive: true, force: true });
}
