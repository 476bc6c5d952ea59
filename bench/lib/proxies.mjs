import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitForHttp } from './http.mjs';

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function launch(command, args, options, dir) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => {
    stderr = (stderr + c).slice(-2000);
  });
  return {
    child,
    stderr: () => stderr,
    dir,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * nginx as a reverse proxy in front of the given routes (`prefix` → upstream
 * port, with extra request headers), keep-alive to the upstream, no access log.
 * `routes`: [{ prefix, port, headers }]. Returns { url, stop }.
 */
export async function startNginx(dir, routes) {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const port = await freePort();
  const upstreams = routes
    .map((r, i) => `  upstream u${i} { server 127.0.0.1:${r.port}; keepalive 64; }`)
    .join('\n');
  const locations = routes
    .map(
      (r, i) => `    location ${r.prefix} {
      proxy_pass http://u${i};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
${Object.entries(r.headers ?? {})
  .map(([k, v]) => `      proxy_set_header ${k} "${v}";`)
  .join('\n')}
    }`,
    )
    .join('\n');
  const conf = `worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
${process.getuid?.() === 0 ? 'user root;' : ''}
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${upstreams}
  server {
    listen 127.0.0.1:${port};
${locations}
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const proc = launch('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {}, dir);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}${routes[0].prefix}flows/search`, 10_000);
  } catch (err) {
    await proc.stop();
    throw new Error(`nginx did not come up: ${err.message}; ${proc.stderr()}`);
  }
  return { url, stop: proc.stop };
}

/** Caddy (`caddy run`, Caddyfile) as the same reverse proxy; admin endpoint off. */
export async function startCaddy(dir, routes) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const handles = routes
    .map(
      (r) => `  handle ${r.prefix}* {
    reverse_proxy 127.0.0.1:${r.port} {
${Object.entries(r.headers ?? {})
  .map(([k, v]) => `      header_up ${k} "${v}"`)
  .join('\n')}
    }
  }`,
    )
    .join('\n');
  const caddyfile = `{
  admin off
  auto_https off
  log {
    level ERROR
  }
}
http://127.0.0.1:${port} {
${handles}
}
`;
  const file = join(dir, 'Caddyfile');
  writeFileSync(file, caddyfile);
  const env = {
    ...process.env,
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'config'),
  };
  const proc = launch('caddy', ['run', '--config', file, '--adapter', 'caddyfile'], { env }, dir);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}${routes[0].prefix}flows/search`, 15_000);
  } catch (err) {
    await proc.stop();
    throw new Error(`caddy did not come up: ${err.message}; ${proc.stderr()}`);
  }
  return { url, pid: proc.child.pid, stop: proc.stop };
}
