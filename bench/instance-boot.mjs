#!/usr/bin/env node
// The instance's own boot and idle memory, without a gateway in front:
// `node bench/instance-boot.mjs [--rounds=N] [entry ...]`. Each round spawns
// a do-nothing Node server (bench/servers/baseline-server.mjs) and every
// given instance entry (default: the built bundle), interleaved, and times
// spawn → first 200 of a real API request (`GET /api/v1/bench/flows/search`),
// and the CPU time the process used by then (all threads, /proc schedstat).
// After the last round each one is left idle for 2 s and its memory read from
// smaps (the process and its children). An entry ending in `.blob` is a
// startup snapshot, started with `--snapshot-blob`; by default the bundle and,
// when built, its snapshot are both measured. Prints medians and ratios to the
// baseline measured in the same run; `--json` prints them as JSON instead.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeMemory } from './lib/memory.mjs';
import { freePort } from './lib/proxies.mjs';
import { summary } from './lib/stats.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 9);
const asJson = args.includes('--json');
const entries = args.filter((a) => !a.startsWith('--'));
// Node/V8 flags given to every instance entry (not the baseline): `--node-flag=--max-semi-space-size=1`.
const nodeFlags = args.filter((a) => a.startsWith('--node-flag=')).map((a) => a.slice(12));
// Environment given to every instance entry (not the baseline): `--env=MALLOC_ARENA_MAX=2`.
const extraEnv = Object.fromEntries(
  args
    .filter((a) => a.startsWith('--env='))
    .map((a) => [a.slice(6, a.indexOf('=', 6)), a.slice(a.indexOf('=', 6) + 1)]),
);
if (entries.length === 0) {
  entries.push(join(ROOT, 'packages/orchestrator/dist/bundle/main.js'));
  const blob = join(ROOT, 'packages/orchestrator/dist/bundle/instance.blob');
  if (existsSync(blob)) entries.push(blob);
}
const BASELINE = join(ROOT, 'bench/servers/baseline-server.mjs');
const TOKEN = 'bench-instance-token';

function get(port, path) {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent: false,
        timeout: 2_000,
        headers: { 'x-silo-instance-token': TOKEN },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Spawns `file` as an instance would be, waits for a 200 (bounded: 30 s), returns ms and the child. */
async function boot(file, dataDir) {
  const port = await freePort();
  const t0 = performance.now();
  // A `.blob` is a startup snapshot (packages/orchestrator/scripts/snapshot.mjs).
  const argv = file.endsWith('.blob') ? ['--snapshot-blob', file] : [file];
  const child = spawn(process.execPath, [...(file === BASELINE ? [] : nodeFlags), ...argv], {
    env: {
      PATH: process.env.PATH,
      SILO_TENANT_ID: 'bench',
      SILO_PORT: String(port),
      SILO_HOST: '127.0.0.1',
      SILO_DATA_DIR: dataDir,
      SILO_INSTANCE_TOKEN: TOKEN,
      SILO_LOG_LEVEL: 'info',
      ...(file === BASELINE ? {} : extraEnv),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let log = '';
  child.stdout.on('data', (d) => {
    log += d;
  });
  const deadline = Date.now() + 30_000;
  let status = 0;
  while (status !== 200 && Date.now() < deadline && child.exitCode === null) {
    status = await get(port, '/api/v1/bench/flows/search');
    if (status !== 200) await new Promise((r) => setTimeout(r, 2));
  }
  const ms = performance.now() - t0;
  if (status !== 200) throw new Error(`${file} did not answer 200 within 30 s (last ${status})`);
  return { ms, cpuMs: cpuMsOf(child.pid), child, log: () => log };
}

/**
 * CPU time the process has used so far (all its threads, from /proc/<pid>/task/<tid>/schedstat, in
 * ns): what its boot and first request cost, far less sensitive to the machine's load than the wall
 * time. Undefined where /proc has no schedstat.
 */
function cpuMsOf(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const phasesOf = (log) => {
  for (const line of log.split('\n').reverse()) {
    if (!line.includes('"boot phases"')) continue;
    try {
      return JSON.parse(line).phases;
    } catch {}
  }
  return undefined;
};

const tmp = mkdtempSync(join(tmpdir(), 'silo-boot-bench-'));
const kinds = [['baseline', BASELINE], ...entries.map((e, i) => [`entry${i}`, e])];
const times = Object.fromEntries(kinds.map(([k]) => [k, []]));
const cpu = Object.fromEntries(kinds.map(([k]) => [k, []]));
const phases = Object.fromEntries(kinds.map(([k]) => [k, []]));
const memory = {};
try {
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? kinds : [...kinds].reverse();
    for (const [kind, file] of order) {
      const dataDir = join(tmp, `${kind}-${r}`);
      const b = await boot(file, dataDir);
      if (r === rounds - 1) {
        await new Promise((res) => setTimeout(res, 2_000));
        memory[kind] = treeMemory(b.child.pid);
      }
      await stop(b.child);
      const p = phasesOf(b.log());
      if (p) phases[kind].push(p);
      if (r > 0) times[kind].push(b.ms); // round 0 warms the page cache
      if (r > 0 && b.cpuMs !== undefined) cpu[kind].push(b.cpuMs);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const median = (list) => summary(list).p50;
const base = median(times.baseline);
const out = kinds.map(([kind, file]) => {
  const ph = {};
  for (const name of Object.keys(phases[kind][0] ?? {}))
    ph[name] = median(phases[kind].map((p) => p[name]).filter((v) => typeof v === 'number'));
  return {
    kind,
    file: relative(ROOT, resolve(file)),
    bootP50Ms: median(times[kind]),
    ratio: median(times[kind]) / base,
    cpuP50Ms: cpu[kind].length ? median(cpu[kind]) : undefined,
    cpuRatio: cpu[kind].length && cpu.baseline.length ? median(cpu[kind]) / median(cpu.baseline) : undefined,
    phasesP50: ph,
    idleRssMB: memory[kind] && memory[kind].rss / 2 ** 20,
    idlePssMB: memory[kind] && memory[kind].pss / 2 ** 20,
  };
});
if (asJson) process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
else
  for (const o of out)
    process.stdout.write(
      `${o.kind.padEnd(9)} ${o.bootP50Ms.toFixed(1).padStart(7)} ms  ${o.ratio.toFixed(2)}×  cpu ${o.cpuP50Ms?.toFixed(1)} ms ${o.cpuRatio?.toFixed(2)}×  rss ${o.idleRssMB?.toFixed(1)} MB  pss ${o.idlePssMB?.toFixed(1)} MB  ${o.file}\n${Object.keys(o.phasesP50).length ? `          phases ${JSON.stringify(o.phasesP50)}\n` : ''}`,
    );
