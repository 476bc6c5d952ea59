#!/usr/bin/env node
// Engine benchmark (issue 4, item 9). Run: npm run bench -w packages/orchestrator (after `npx tsc -b`).
// Prints executions/s and p50/p99 create→SUCCESS for a 3-task flow (Log, Return, OutputValues),
// and the wall time of one execution of 40 sequential 10 ms Sleep tasks (Windmill's benchmark).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createOrchestrator, loadConfig } from '../dist/index.js';

const TOTAL = Number(process.env.BENCH_EXECUTIONS ?? 2000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 32);
const base = '/api/v1/main';
const dir = mkdtempSync(join(tmpdir(), 'silo-bench-'));
const orch = createOrchestrator(
  loadConfig({ SILO_TENANT_ID: 'bench', SILO_DATA_DIR: dir, SILO_LOG_LEVEL: 'silent' }),
  pino({ level: 'silent' }),
);
await orch.start();

async function deploy(yaml) {
  const r = await orch.app.request(`${base}/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-yaml' },
    body: yaml,
  });
  if (r.status !== 200) throw new Error(`deploy: ${r.status} ${await r.text()}`);
}
async function runAndWait(flowId) {
  const t0 = performance.now();
  const r = await orch.app.request(`${base}/executions/bench/${flowId}?wait=true`, { method: 'POST' });
  const e = await r.json();
  if (e.state?.current !== 'SUCCESS') throw new Error(`execution ended ${e.state?.current}`);
  return performance.now() - t0;
}

await deploy(`id: three
namespace: bench
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hello {{ execution.id }}
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: "{{ flow.id }}"
  - id: out
    type: io.kestra.plugin.core.output.OutputValues
    values:
      v: "{{ outputs.ret.value }}"
`);
const sleeps = Array.from(
  { length: 40 },
  (_, i) => `  - id: s${i}\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT0.010S\n`,
).join('');
await deploy(`id: sleeps\nnamespace: bench\ntasks:\n${sleeps}`);

for (let i = 0; i < 50; i++) await runAndWait('three'); // warm-up

// Latency alone (one at a time), then throughput (IN_FLIGHT at a time).
const solo = [];
for (let i = 0; i < 200; i++) solo.push(await runAndWait('three'));
const latencies = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    while (next < TOTAL) {
      next++;
      latencies.push(await runAndWait('three'));
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const sleepWall = await runAndWait('sleeps');

const fmt = (n) => n.toFixed(1);
console.log(`3-task flow (Log, Return, OutputValues), ${TOTAL} executions, ${IN_FLIGHT} in flight:`);
console.log(`  throughput: ${fmt(TOTAL / seconds)} executions/s (target ≥ 300)`);
console.log(
  `  create→SUCCESS under load: p50 ${fmt(pct(latencies, 50))} ms, p99 ${fmt(pct(latencies, 99))} ms`,
);
console.log(
  `  create→SUCCESS one at a time: p50 ${fmt(pct(solo, 50))} ms (target ≤ 15), p99 ${fmt(pct(solo, 99))} ms`,
);
console.log(`40 sequential 10 ms Sleep tasks: ${(sleepWall / 1000).toFixed(3)} s wall (target ≤ 0.6 s)`);
await orch.stop();
rmSync(dir, { recursive: true, force: true });
