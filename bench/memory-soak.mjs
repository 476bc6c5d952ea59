#!/usr/bin/env node
// A bounded reproduction of the reliability soak's memory growth, on one
// instance without a gateway: `node bench/memory-soak.mjs [--minutes=3]
// [--entry=path] [--log-level=info]`. 8 clients (2 of 3 requests `GET /flows/search`, 1 of 3 a
// 2-task execution created with `?wait=true`, as test/reliability's soak),
// and every 15 s: the instance's RSS (smaps) and, after a full GC, its V8
// heap, external memory and array buffers (a preload answers SIGUSR2).
// `--snapshots` also writes a heap snapshot at the first and last sample.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeMemory } from './lib/memory.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const minutes = Number(opt('minutes', 3));
const entry = opt('entry', join(ROOT, 'packages/orchestrator/dist/bundle/main.js'));
const snapshots = args.includes('--snapshots');
const logLevel = opt('log-level', 'info');
const TOKEN = 'memory-soak-token-0123';
const TENANT = 'soak';
const FLOW = `id: quick
namespace: load
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hello {{ execution.id }}
  - id: done
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.body.n ?? 'api' }}"
`;
const DIAG = `import v8 from 'node:v8';
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  process.stderr.write('DIAG ' + JSON.stringify({ heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers }) + '\\n');
});
process.on('SIGWINCH', () => process.stderr.write('SNAP ' + v8.writeHeapSnapshot(process.env.DIAG_DIR + '/' + Date.now() + '.heapsnapshot') + '\\n'));
`;

const dir = mkdtempSync(join(tmpdir(), 'silo-memory-soak-'));
writeFileSync(join(dir, 'diag.mjs'), DIAG);
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const child = spawn(process.execPath, ['--expose-gc', '--import', join(dir, 'diag.mjs'), entry], {
  env: {
    PATH: process.env.PATH,
    SILO_TENANT_ID: TENANT,
    SILO_PORT: String(port),
    SILO_DATA_DIR: join(dir, 'data'),
    SILO_INSTANCE_TOKEN: TOKEN,
    SILO_LOG_LEVEL: logLevel,
    DIAG_DIR: dir,
  },
  // Its log goes to a file, as the process driver does (instance.log).
  stdio: ['ignore', openSync(join(dir, 'instance.log'), 'a'), 'pipe'],
});
let lastDiag;
child.stderr.on('data', (d) => {
  for (const line of String(d).split('\n')) {
    if (line.startsWith('DIAG ')) lastDiag = JSON.parse(line.slice(5));
    else if (line.startsWith('SNAP ')) process.stdout.write(`heap snapshot: ${line.slice(5)}\n`);
    else if (line.trim()) process.stderr.write(`instance: ${line}\n`);
  }
});

const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 16 });
function call(method, path, body, type) {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: `/api/v1/${TENANT}${path}`,
        agent,
        timeout: 30_000,
        headers: { 'x-silo-instance-token': TOKEN, ...(type ? { 'content-type': type } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, text: err.message }));
    req.end(body);
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** RSS of one process by kind of mapping: malloc's [heap], other anonymous memory, files (code, libraries). */
function rssByKind(pid) {
  const out = { mallocHeap: 0, anon: 0, file: 0 };
  let kind = 'anon';
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head)
      kind =
        head[1] === '[heap]' ? 'mallocHeap' : head[1] === '' || head[1].startsWith('[') ? 'anon' : 'file';
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] += Number(rss[1]) * 1024;
  }
  return out;
}

const mib = (b) => (b / 2 ** 20).toFixed(1);
const samples = [];
async function sample(t0) {
  child.kill('SIGUSR2');
  await sleep(300);
  const m = treeMemory(child.pid);
  const d = lastDiag ?? {};
  const s = { s: Math.round((Date.now() - t0) / 1000), rss: m?.rss, ...d, ...rssByKind(child.pid) };
  samples.push(s);
  process.stdout.write(
    `${String(s.s).padStart(5)} s  rss ${mib(s.rss)}  heapUsed ${mib(d.heapUsed)}  heapTotal ${mib(d.heapTotal)}  external ${mib(d.external)}  arrayBuffers ${mib(d.arrayBuffers)}  [heap] ${mib(s.mallocHeap)}  anon ${mib(s.anon)}  file ${mib(s.file)}  requests ${requests} errors ${errors}\n`,
  );
}

let requests = 0;
let errors = 0;
try {
  const boot = Date.now() + 30_000;
  while (Date.now() < boot && (await call('GET', '/flows/search')).status !== 200) await sleep(50);
  const created = await call('POST', '/flows', FLOW, 'application/x-yaml');
  if (created.status !== 200) throw new Error(`flow create: ${created.status} ${created.text}`);
  const t0 = Date.now();
  const end = t0 + minutes * 60_000;
  await sample(t0);
  if (snapshots) child.kill('SIGWINCH');
  const timer = setInterval(() => void sample(t0), 15_000);
  const client = async (c) => {
    for (let i = c; Date.now() < end && i < 10_000_000; i++) {
      const res =
        i % 3 === 0
          ? await call('POST', '/executions/load/quick?wait=true', '', undefined)
          : await call('GET', '/flows/search');
      requests++;
      if (res.status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));
  clearInterval(timer);
  await sample(t0);
  if (snapshots) {
    child.kill('SIGWINCH');
    await sleep(15_000);
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 3_000));
  if (child.exitCode === null) child.kill('SIGKILL');
  agent.destroy();
  if (!snapshots) rmSync(dir, { recursive: true, force: true });
}
