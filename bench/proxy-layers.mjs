#!/usr/bin/env node
// What each layer of the gateway's warm proxy path costs, in CPU µs per
// request, from the built gateway (run `npm run build` first):
//   node bench/proxy-layers.mjs [--seconds=2] [--rounds=3]
// 1. The steps as functions, each in a loop (median of rounds): path parse,
//    request id, bearer auth on a cache hit (real SQLite registry), the
//    rate bucket, the header rewrite, the access log line (pino, async
//    destination to /dev/null), the metrics counter.
// 2. The HTTP layers, as CPU time of this process per request while wrk
//    (its own process, 64 connections) drives an in-process server: a bare
//    Node server answering itself; the same behind Hono's adapter and the
//    gateway's middleware shape; a proxy to the do-nothing server (its own
//    process) with Node's http.request + pipe; the same with http-proxy-3.
//    CPU per request, unlike req/s, holds on a machine loaded by others.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// biome-ignore lint/correctness/noUndeclaredDependencies: the gateway workspace's own dependencies, measured as it uses them
import { createAdaptorServer } from '@hono/node-server';
// biome-ignore lint/correctness/noUndeclaredDependencies: the gateway workspace's own dependencies, measured as it uses them
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import {
  authorizeTenantRequest,
  createGatewayMetrics,
  forwardHeaderList,
  HOP_BY_HOP,
  openSqliteRegistry,
  parseTenantPath,
  prepareForwardHeaders,
  RateLimiter,
  requestIdOf,
  responseHeaderList,
} from '@silo/gateway';
// biome-ignore lint/correctness/noUndeclaredDependencies: the gateway workspace's own dependencies, measured as it uses them
import { Hono } from 'hono';
// biome-ignore lint/correctness/noUndeclaredDependencies: the gateway workspace's own dependencies, measured as it uses them
import { createProxyServer } from 'http-proxy-3';
// biome-ignore lint/correctness/noUndeclaredDependencies: the gateway workspace's own dependencies, measured as it uses them
import pino from 'pino';
import { freePort } from './lib/proxies.mjs';
import { quantile, sleep } from './lib/stats.mjs';
import { runWrk } from './lib/tools.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const seconds = Number(opt('seconds', '2'));
const rounds = Number(opt('rounds', '3'));
const tmp = mkdtempSync(join(tmpdir(), 'silo-proxy-layers-'));
chmodSync(tmp, 0o711);
const out = (line = '') => process.stdout.write(`${line}\n`);
out(
  `load average: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

// ── 1. the steps as functions
const registry = openSqliteRegistry(join(tmp, 'registry.db'));
await registry.tenants.create({ id: 'acme' });
const { key } = await registry.keys.create('acme', 'bench');
const limiter = new RateLimiter({});
const metrics = createGatewayMetrics();
const counter = metrics.proxiedRequests.labels({ tenant: 'acme', status: '200' });
const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 }));
const url = '/api/v1/acme/flows/search?page=1&size=25';
const fakeReq = () => ({
  url,
  method: 'GET',
  headers: {
    host: '127.0.0.1:8080',
    'user-agent': 'wrk',
    accept: '*/*',
    authorization: `Bearer ${key}`,
    connection: 'keep-alive',
  },
  socket: { remoteAddress: '127.0.0.1' },
});
const steps = [
  ['path parse (parseTenantPath)', () => parseTenantPath(url, 'GET')],
  ['request id (requestIdOf, new id)', () => requestIdOf(undefined)],
  [
    'auth, cache hit (key hash + tenant)',
    () => authorizeTenantRequest(registry, { segment: 'acme', isWebhook: false }, `Bearer ${key}`),
  ],
  [
    'rate bucket (tenant lookup + take)',
    async () => limiter.take('acme', (await registry.tenants.get('acme'))?.limits.requestsPerSecond),
  ],
  [
    'header rewrite (prepareForwardHeaders)',
    () => prepareForwardHeaders(fakeReq(), { instanceToken: 't', requestId: 'r', keepUpgrade: false }),
  ],
  ['  (the request object it rewrites)', () => fakeReq()],
  [
    'access log line (pino info)',
    () => log.info({ requestId: 'r', tenantId: 'acme', method: 'GET', status: 200, ms: 0 }, 'proxied'),
  ],
  ['metrics counter (cached child inc)', () => counter.inc()],
];
out('\nsteps (CPU µs per call, median of rounds)');
for (const [name, fn] of steps) {
  const perCall = [];
  for (let r = 0; r < rounds; r++) {
    const n = 20_000;
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const used = process.cpuUsage(t0);
    perCall.push((used.user + used.system) / n);
  }
  out(`${quantile(perCall, 0.5).toFixed(2).padStart(8)}  ${name}`);
}
await registry.close();

// ── 2. the HTTP layers: CPU µs of this process per request under wrk
const upstreamPort = await freePort();
const upstream = spawn(
  process.execPath,
  [fileURLToPath(new URL('./servers/baseline-server.mjs', import.meta.url))],
  {
    env: { ...process.env, SILO_PORT: String(upstreamPort), SILO_HOST: '127.0.0.1' },
    stdio: 'ignore',
  },
);
await sleep(500);
const agent = new Agent({ keepAlive: true, maxFreeSockets: 64 });
const body = Buffer.from('{"status":"UP"}');
const answer = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
};
const pipeTo = (req, res) => {
  const up = request({
    host: '127.0.0.1',
    port: upstreamPort,
    agent,
    method: req.method,
    path: req.url,
    headers: req.headers,
  });
  up.on('response', (r) => {
    for (const name of HOP_BY_HOP) delete r.headers[name];
    res.writeHead(r.statusCode, r.statusMessage, r.headers);
    r.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
};
// The gateway's header rewrite both ways, as objects (before 30 Nov) and as flat lists (now).
const rewriteObjects = (req, res) => {
  prepareForwardHeaders(req, { instanceToken: 't', requestId: 'r', keepUpgrade: false });
  res.setHeader('x-request-id', 'r');
  const up = request({
    host: '127.0.0.1',
    port: upstreamPort,
    agent,
    method: req.method,
    path: req.url,
    headers: req.headers,
  });
  up.on('response', (r) => {
    const headers = r.headers;
    for (const name of HOP_BY_HOP) delete headers[name];
    headers.connection = res.shouldKeepAlive ? 'keep-alive' : 'close';
    res.writeHead(r.statusCode, r.statusMessage, headers);
    r.pipe(res);
  });
  up.on('error', () => res.destroy());
  up.end();
};
const rewriteLists = (req, res) => {
  const headers = forwardHeaderList(req, { instanceToken: 't', requestId: 'r' });
  const up = request({
    host: '127.0.0.1',
    port: upstreamPort,
    agent,
    method: req.method,
    path: req.url,
    headers,
  });
  up.on('response', (r) => {
    res.writeHead(r.statusCode, r.statusMessage, responseHeaderList(r.rawHeaders, 'r', res.shouldKeepAlive));
    r.pipe(res);
  });
  up.on('error', () => res.destroy());
  up.end();
};
const hp = createProxyServer({ agent, xfwd: false });
const hpTarget = new URL(`http://127.0.0.1:${upstreamPort}`);
const honoApp = (handler) => {
  const app = new Hono();
  app.use('*', async (c, next) => {
    c.set('requestId', requestIdOf(c.env.incoming.headers['x-request-id']));
    await next();
  });
  app.get('/healthz', (c) => c.json({ status: 'UP' }));
  app.use('/admin/*', async (_c, next) => next());
  app.all('/api/v1/*', (c) => {
    handler(c.env.incoming, c.env.outgoing);
    return RESPONSE_ALREADY_SENT;
  });
  return createAdaptorServer({ fetch: app.fetch });
};
const servers = [
  ['bare Node server, answers itself', () => createServer(answer)],
  ['Hono adapter + middleware, answers raw', () => honoApp(answer)],
  ['proxy: http.request + pipe, headers untouched', () => createServer(pipeTo)],
  ['proxy: + header rewrite as objects (before 30 Nov)', () => createServer(rewriteObjects)],
  ['proxy: + header rewrite as flat lists (now)', () => createServer(rewriteLists)],
  [
    'proxy: http-proxy-3 (gateway before)',
    () => createServer((req, res) => hp.web(req, res, { target: hpTarget })),
  ],
  [
    'proxy: Hono + http-proxy-3 (before, both)',
    () => honoApp((req, res) => hp.web(req, res, { target: hpTarget })),
  ],
];
const cpu = {};
const live = [];
for (const [name, make] of servers) {
  const server = make();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  live.push([name, server, `http://127.0.0.1:${server.address().port}${url}`]);
  await runWrk({ url: live.at(-1)[2], connections: 16, seconds: 1 });
}
for (let r = 0; r < rounds; r++) {
  for (const [name, , target] of r % 2 === 0 ? live : [...live].reverse()) {
    const before = process.cpuUsage();
    const got = await runWrk({ url: target, connections: 64, seconds });
    const used = process.cpuUsage(before);
    cpu[name] ??= [];
    cpu[name].push((used.user + used.system) / (got.rps * seconds));
  }
}
out(`\nHTTP layers (CPU µs of the server process per request, wrk c=64, median of ${rounds} × ${seconds} s)`);
for (const [name] of servers) out(`${quantile(cpu[name], 0.5).toFixed(1).padStart(8)}  ${name}`);
out(
  `\nload average: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const [, server] of live) server.close();
hp.close();
agent.destroy();
upstream.kill('SIGTERM');
rmSync(tmp, { recursive: true, force: true });
