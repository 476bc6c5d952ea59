import { AsyncLocalStorage } from 'node:async_hooks';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a bench section created, and how to remove it whatever happens to the
 * section (it returns, throws, or runs past its bound). The runner runs each
 * section inside its own scope (`scopes.run`); `startGateway` registers every
 * gateway it starts in the scope of the code that called it (found through
 * AsyncLocalStorage, so sections need not pass it along), and refuses to start
 * one in a scope already closed: code of a timed-out section that is still
 * running cannot create tenants after its cleanup. Closing a scope closes its
 * gateways in parallel, each bounded: purge of Docker tenants, the gateway's
 * own stop (SIGTERM: it stops its instances), and a sweep of what survived.
 */
export class Scope {
  #closers = [];
  #closed = false;
  constructor(name) {
    this.name = name;
  }
  get closed() {
    return this.#closed;
  }
  /** Registers `close` (idempotent, bounded by the caller) to run when the scope closes. */
  add(close) {
    if (this.#closed)
      throw new Error(`section "${this.name}" is over (timed out or failed): nothing new starts`);
    this.#closers.push(close);
  }
  /** Runs every registered close in parallel; resolves within `boundMs` whatever they do. */
  async close(boundMs) {
    this.#closed = true;
    const closers = this.#closers.splice(0);
    if (closers.length === 0) return { closed: 0, late: 0, results: [] };
    let late = closers.length;
    const results = [];
    const all = Promise.all(
      closers.map((close) =>
        Promise.resolve()
          .then(close)
          .then((r) => results.push(r))
          .catch(() => undefined)
          .finally(() => {
            late--;
          }),
      ),
    );
    let timer;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, boundMs)))]);
    clearTimeout(timer);
    return { closed: closers.length - late, late, results };
  }
}

const current = new AsyncLocalStorage();

/** The section scopes of one run: `run` a section in a new one, `current()` from inside it. */
export const scopes = {
  run: (scope, fn) => current.run(scope, fn),
  current: () => current.getStore(),
};

/** Runs `file args` bounded by `timeoutMs`; resolves to its stdout ('' on any error). */
function sh(file, args, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 8 * 2 ** 20 }, (_err, stdout) =>
      resolve(String(stdout ?? '')),
    );
  });
}

/**
 * Removes what a gateway's tenants left behind after the gateway is gone: the
 * process instances its driver recorded (`<dataDir>/tenants/<id>/instance.json`,
 * a pid whose command line is still the recorded entry: SIGCONT then SIGKILL
 * to its process group) and, for Docker, the containers, volumes and networks
 * named after the tenants this client created (`silo-<id>`, `-data`, `-net`;
 * never anything else on the engine). Returns what it removed.
 */
export async function sweepLeftovers(gw) {
  const killed = [];
  let tenantsDir;
  try {
    tenantsDir = readdirSync(join(gw.dataDir, 'tenants'));
  } catch {
    tenantsDir = [];
  }
  for (const id of tenantsDir) {
    let record;
    try {
      record = JSON.parse(readFileSync(join(gw.dataDir, 'tenants', id, 'instance.json'), 'utf8'));
    } catch {
      continue;
    }
    if (!record.pid || !isInstance(record.pid, record.entry)) continue;
    for (const signal of ['SIGCONT', 'SIGKILL']) {
      try {
        process.kill(-record.pid, signal);
      } catch {
        try {
          process.kill(record.pid, signal);
        } catch {}
      }
    }
    killed.push(id);
  }
  const removed = { processes: killed, containers: [], networks: [], volumes: [] };
  if (gw.runtime !== 'docker' || gw.created.length === 0) return removed;
  const names = gw.created.map((id) => `silo-${id}`);
  const present = async (listArgs, wanted) => {
    const out = await sh('docker', listArgs);
    const have = new Set(out.split('\n').filter(Boolean));
    return wanted.filter((n) => have.has(n));
  };
  removed.containers = await present(['ps', '-a', '--format', '{{.Names}}'], names);
  if (removed.containers.length) await sh('docker', ['rm', '-f', '-v', ...removed.containers], 120_000);
  removed.networks = await present(
    ['network', 'ls', '--format', '{{.Name}}'],
    names.map((n) => `${n}-net`),
  );
  if (removed.networks.length) await sh('docker', ['network', 'rm', ...removed.networks], 120_000);
  removed.volumes = await present(
    ['volume', 'ls', '--format', '{{.Name}}'],
    names.map((n) => `${n}-data`),
  );
  if (removed.volumes.length) await sh('docker', ['volume', 'rm', '-f', ...removed.volumes], 120_000);
  return removed;
}

/** Whether `pid` still runs the recorded entry (a recycled pid is never signalled). */
function isInstance(pid, entry) {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return entry ? cmdline.includes(entry) : true;
  } catch {
    return false;
  }
}
