#!/usr/bin/env node
// The cold-start and proxy baseline: a do-nothing Node HTTP server, started
// exactly as an instance is (same environment, same driver path, same base
// image). It answers every path with a small JSON 200, /readyz included, and
// exits 0 on SIGTERM. Plain ESM, no dependencies, so it runs in the offline
// base image as it is.
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';

const port = Number(process.env.SILO_PORT ?? 8081);
const host = process.env.SILO_HOST ?? '127.0.0.1';
const body = Buffer.from('{"status":"UP"}');
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
// The process driver hands out a unix socket (SILO_SOCKET) as it does to instances; a container gets a port.
const socket = process.env.SILO_SOCKET;
if (socket) {
  rmSync(socket, { force: true });
  server.listen(socket);
} else server.listen(port, host);
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
