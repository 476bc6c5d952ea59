#!/usr/bin/env node
// A tiny stand-in for an orchestrator instance, speaking the gateway-instance
// contract (packages/contracts/src/instance.ts): /healthz, /readyz,
// /_silo/lifecycle, the instance token. Its lifecycle report is set by tests
// through the API, so busy/idle/wake cases are deterministic. It records each
// start in <data>/starts.log and keeps a counter in <data>/counter.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const env = process.env;
const port = Number(env.SILO_PORT);
const host = env.SILO_HOST ?? '127.0.0.1';
const dataDir = env.SILO_DATA_DIR ?? '.';
const token = env.SILO_INSTANCE_TOKEN;
const tenant = env.SILO_TENANT_ID;
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}`))?.split('=')[1];
const readyAt = Date.now() + Number(arg('ready-delay') ?? 0);
const stateFile = join(dataDir, 'stub-state.json');
const counterFile = join(dataDir, 'counter');
appendFileSync(join(dataDir, 'starts.log'), `${process.pid}\n`);
if (process.argv.includes('--crash')) {
  console.error('stub: crashing on purpose');
  process.exit(3);
}

const state = () =>
  existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : { busy: false, nextWakeAt: null };
let streams = 0;
const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://stub');
  const path = url.pathname;
  if (path === '/healthz') return json(res, 200, { status: 'UP' });
  if (path === '/readyz') {
    const ready = Date.now() >= readyAt;
    if (ready && !existsSync(join(dataDir, 'ready-at')))
      writeFileSync(join(dataDir, 'ready-at'), `${readyAt} ${Date.now()}`);
    return json(res, ready ? 200 : 503, {});
  }
  if (token && req.headers['x-silo-instance-token'] !== token)
    return json(res, 401, { message: 'bad token' });
  if (path === '/_silo/lifecycle') {
    // A hostile instance (issue 12 finding 7): a report far larger than the gateway reads.
    if (process.argv.includes('--huge-report')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(`{"busy":false,"pad":"${'x'.repeat(4 * 1024 * 1024)}"}`);
    }
    const s = state();
    return json(res, 200, {
      busy: Boolean(s.busy),
      activeStreams: streams,
      pendingExecutions: 0,
      nextWakeAt: s.nextWakeAt ?? null,
      nextWakeReason: s.nextWakeReason ?? null,
    });
  }
  const m = /^\/api\/v1\/([^/]+)\/(.*)$/.exec(path);
  if (!m || (m[1] !== tenant && m[1] !== 'main')) return json(res, 404, { message: 'not here' });
  const route = `${req.method} ${m[2]}`;
  if (route === 'GET echo') {
    return json(res, 200, { tenant, pid: process.pid, url: req.url, headers: req.headers });
  }
  if (route === 'POST stub/state') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      writeFileSync(stateFile, body);
      json(res, 200, JSON.parse(body));
    });
    return;
  }
  if (route === 'POST counter') {
    const n = (existsSync(counterFile) ? Number(readFileSync(counterFile, 'utf8')) : 0) + 1;
    writeFileSync(counterFile, String(n));
    return json(res, 200, { counter: n });
  }
  if (route === 'GET counter') {
    return json(res, 200, {
      counter: existsSync(counterFile) ? Number(readFileSync(counterFile, 'utf8')) : 0,
    });
  }
  if (route === 'POST upload') {
    let bytes = 0;
    const hash = createHash('sha256');
    req.on('data', (c) => {
      bytes += c.length;
      hash.update(c);
    });
    req.on('end', () => json(res, 200, { bytes, sha256: hash.digest('hex') }));
    return;
  }
  if (route === 'GET slow') {
    setTimeout(
      () => json(res, 200, { slept: Number(url.searchParams.get('ms')) }),
      Number(url.searchParams.get('ms') ?? 100),
    );
    return;
  }
  if (route === 'GET sse') {
    streams++;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const count = Number(url.searchParams.get('count') ?? 5);
    const every = Number(url.searchParams.get('every') ?? 300);
    let i = 0;
    const send = () => {
      res.write(`id: ${i}\nevent: tick\ndata: {"n":${i}}\n\n`);
      i++;
      if (i >= count) {
        clearInterval(timer);
        res.end();
      }
    };
    const timer = setInterval(send, every);
    send();
    res.on('close', () => {
      clearInterval(timer);
      streams--;
    });
    return;
  }
  json(res, 404, { message: `no route ${route}` });
});

server.on('upgrade', (req, socket) => {
  if (token && req.headers['x-silo-instance-token'] !== token) {
    socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
    return;
  }
  const accept = createHash('sha1')
    .update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
    .digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`,
  );
  streams++;
  // Not real frames: the proxy passes bytes, so an echo of raw bytes proves the tunnel.
  socket.on('data', (chunk) => socket.write(Buffer.concat([Buffer.from('echo:'), chunk])));
  socket.on('close', () => streams--);
});

// SILO_SOCKET: the process runtime's unix socket (a killed run may have left the file).
if (env.SILO_SOCKET) rmSync(env.SILO_SOCKET, { force: true });
const where = env.SILO_SOCKET ? [env.SILO_SOCKET] : [port, host];
server.listen(...where, () =>
  console.log(`stub instance of ${tenant} on ${where.join(':')} pid ${process.pid}`),
);
process.on('SIGTERM', () => {
  console.log('stub: SIGTERM');
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
