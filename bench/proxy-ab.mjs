#!/usr/bin/env node
// Two builds of the gateway side by side on the warm proxy path: A (another
// build's index.js, e.g. a copy of gateway/dist made before a change) and B
// (this workspace's gateway/dist), each in its own process with its own
// do-nothing and orchestrator tenants, plus wrk straight to B's instances
// (direct) and Caddy in front of them. Rounds alternate the order of the
// targets; each figure is the median over rounds; the load average is printed
// before and after. Run after `npm run build`:
//   node bench/proxy-ab.mjs --a=gateway/dist-before/index.js [--rounds=3] [--seconds=2]
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { processInstance, startGateway } from './lib/gateway-process.mjs';
import { jsonRequest } from './lib/http.mjs';
import { startCaddy } from './lib/proxies.mjs';
import { quantile } from './lib/stats.mjs';
import { runWrk } from './lib/tools.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const aModule = opt('a', undefined);
if (aModule === undefined) {
  process.stderr.write(
    'usage: node bench/proxy-ab.mjs --a=<path of the other build index.js> [--rounds=3]\n',
  );
  process.exit(2);
}
const rounds = Number(opt('rounds', '3'));
const seconds = Number(opt('seconds', '2'));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const { orchestratorEntry } = await import('@silo/gateway');
process.env.BENCH_INSTANCE_ENTRY = orchestratorEntry();
const tmp = mkdtempSync(join(tmpdir(), 'silo-proxy-ab-'));
chmodSync(tmp, 0o711);
const TOKEN_HEADER = 'x-silo-instance-token';
const upstreams = [
  { name: 'do-nothing', id: 'base-warm' },
  { name: 'orchestrator', id: 'warm' },
];
const gateways = {};
/** CPU time of a process so far, in µs (utime + stime of /proc/<pid>/stat, clock ticks of 10 ms). */
const cpuOf = (pid) => {
  if (pid === undefined) return undefined;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};
let caddy;
try {
  // Long data folders: instances on TCP ports (see sections/warm-proxy.mjs).
  process.env.BENCH_GATEWAY_MODULE = pathToFileURL(resolve(aModule)).href;
  gateways.A = await startGateway({ dataDir: join(tmp, `a-${'t'.repeat(100)}`) });
  delete process.env.BENCH_GATEWAY_MODULE;
  gateways.B = await startGateway({ dataDir: join(tmp, `b-${'t'.repeat(100)}`) });
  for (const u of upstreams) {
    u.targets = [];
    for (const [name, gw] of Object.entries(gateways)) {
      const key = await gw.createTenant(u.id);
      const url = `${gw.url}/api/v1/${u.id}/flows/search`;
      await jsonRequest(url, { headers: { authorization: `Bearer ${key}` } });
      u.targets.push([`gateway ${name}`, url, { authorization: `Bearer ${key}` }, gw.pid]);
      u.record = processInstance(gw.dataDir, u.id);
    }
    u.targets.push([
      'direct',
      `http://127.0.0.1:${u.record.port}/api/v1/${u.id}/flows/search`,
      { [TOKEN_HEADER]: u.record.instanceToken },
    ]);
  }
  caddy = await startCaddy(
    join(tmp, 'caddy'),
    upstreams.map((u) => ({
      prefix: `/api/v1/${u.id}/`,
      port: u.record.port,
      headers: { [TOKEN_HEADER]: u.record.instanceToken },
    })),
  );
  for (const u of upstreams)
    u.targets.push(['caddy', `${caddy.url}/api/v1/${u.id}/flows/search`, {}, caddy.pid]);
  process.stdout.write(`load average before: ${load()}\n`);
  for (const u of upstreams) {
    for (const [, url, headers] of u.targets) await runWrk({ url, headers, connections: 16, seconds: 1 });
    const got = {};
    for (let round = 0; round < rounds; round++) {
      const ordered = round % 2 === 0 ? u.targets : [...u.targets].reverse();
      for (const [name, url, headers, pid] of ordered) {
        const cpu0 = cpuOf(pid);
        const many = await runWrk({ url, headers, connections: 64, seconds });
        const cpu = pid === undefined ? undefined : (cpuOf(pid) - cpu0) / (many.rps * seconds);
        const one = await runWrk({ url, headers, connections: 1, seconds });
        got[name] ??= { rps: [], p50: [], cpu: [], errors: 0 };
        if (cpu !== undefined) got[name].cpu.push(cpu);
        got[name].rps.push(many.rps);
        got[name].p50.push(one.p50);
        got[name].errors += many.non2xx + many.socketErrors + one.non2xx + one.socketErrors;
      }
    }
    const direct = quantile(got.direct.p50, 0.5);
    process.stdout.write(`\n${u.name} upstream (median of ${rounds} rounds, ${seconds} s each)\n`);
    process.stdout.write(
      'target      req/s c=64   p50 c=1   added p50   CPU µs/req   errors   rounds req/s\n',
    );
    for (const [name, g] of Object.entries(got)) {
      const p50 = quantile(g.p50, 0.5);
      process.stdout.write(
        `${name.padEnd(10)}  ${String(Math.round(quantile(g.rps, 0.5))).padStart(10)}  ${p50.toFixed(3).padStart(8)}  ${(p50 - direct).toFixed(3).padStart(10)}  ${(g.cpu.length ? quantile(g.cpu, 0.5).toFixed(0) : '-').padStart(11)}  ${String(g.errors).padStart(7)}   ${g.rps.map(Math.round).join(' ')}\n`,
      );
    }
  }
  process.stdout.write(`\nload average after: ${load()}\n`);
} finally {
  await caddy?.stop();
  for (const gw of Object.values(gateways)) await gw.stop();
  rmSync(tmp, { recursive: true, force: true });
}
