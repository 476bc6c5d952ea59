import { execFileSync, spawn } from 'node:child_process';

function which(name) {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return '';
  }
}

/**
 * Finds the Debian-packaged tools the harness compares against (nginx, caddy,
 * wrk) and installs the missing ones with apt-get when running as root.
 * Returns `{ name: path | undefined }` and a reason per missing tool.
 */
export function ensureTools(names, log) {
  const found = {};
  const missing = [];
  for (const name of names) {
    const path = which(name);
    if (path) found[name] = path;
    else missing.push(name);
  }
  const reasons = {};
  if (missing.length > 0) {
    if (process.getuid?.() === 0) {
      log(`installing ${missing.join(', ')} with apt-get (bounded to 5 minutes)`);
      try {
        execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', timeout: 120_000 });
        execFileSync('apt-get', ['install', '-y', '-qq', ...missing], {
          stdio: 'ignore',
          timeout: 180_000,
          env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        });
      } catch (err) {
        log(`apt-get failed: ${err.message.split('\n')[0]}`);
      }
      for (const name of missing) {
        const path = which(name);
        if (path) found[name] = path;
        else reasons[name] = `${name} is not installed and apt-get could not install it`;
      }
    } else {
      for (const name of missing)
        reasons[name] = `${name} is missing (run as root, or apt-get install -y ${name})`;
    }
  }
  return { found, reasons };
}

function toMs(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return undefined;
  const v = Number(m[1]);
  return { us: v / 1000, ms: v, s: v * 1000, m: v * 60_000 }[m[2]];
}

/** Runs wrk with a fixed duration and connection count; parses req/s and the latency percentiles (ms). */
export function runWrk({ url, headers = {}, connections, threads = 1, seconds }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '5s'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      out += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      if (code !== 0 || !rps) return reject(new Error(`wrk exited ${code}: ${out.slice(-400)}`));
      const pct = (p) => {
        const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out);
        return m ? toMs(m[1]) : undefined;
      };
      const errors = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      resolve({
        rps: Number(rps[1]),
        p50: pct(50),
        p90: pct(90),
        p99: pct(99),
        non2xx: errors ? Number(errors[1]) : 0,
        socketErrors: socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
      });
    });
  });
}
