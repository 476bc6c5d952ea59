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
  /**
   * Registers `close` (idempotent) to run when the scope closes, and `kill`,
   * the quicker way out when `close` overruns its bound.
   */
  add(close, kill = async () => undefined) {
    if (this.#closed)
      throw new Error(`section "${this.name}" is over (timed out or failed): nothing new starts`);
    this.#closers.push({ close, kill });
  }
  /**
   * Runs every registered close in parallel, bounded by `boundMs`; those
   * still running then are killed (their `kill`, bounded by `killMs`).
   * Resolves to how many closed, how many had to be killed, and what each
   * returned (the sweeps' findings).
   */
  async close(boundMs, killMs = 90_000) {
    this.#closed = true;
    const closers = this.#closers.splice(0);
    const results = [];
    const pending = new Set(closers);
    const run = (list, pick) =>
      Promise.all(
        list.map((c) =>
          Promise.resolve()
            .then(() => c[pick]())
            .then((r) => results.push(r))
            .catch(() => undefined)
            .finally(() => pending.delete(c)),
        ),
      );
    await bounded(run(closers, 'close'), boundMs);
    const late = [...pending];
    if (late.length) await bounded(run(late, 'kill'), killMs);
    return { closed: closers.length - late.length, killed: late.length, results };
  }
}

/** `promise`, or nothing after `ms`. */
async function bounded(promise, ms) {
  let timer;
  await Promise.race([promise, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

const current = new AsyncLocalStorage();

/** The section scopes of one run: `run` a section in a new one, `current()` from inside it. */
export const scopes = {
  run: (scope, fn) => current.run(scope, fn),
  current: () => current.getStore(),
};

/** Runs `file args` bounded by `timeoutMs`; resolves to its stdout ('' on any error). */
function sh(file, args, timeoutMs = 30_000) {
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
  if (removed.containers.length) await sh('docker', ['rm', '-f', '-v', ...removed.containers], 60_000);
  removed.networks = await present(
    ['network', 'ls', '--format', '{{.Name}}'],
    names.map((n) => `${n}-net`),
  );
  if (removed.networks.length) await sh('docker', ['network', 'rm', ...removed.networks], 60_000);
  removed.volumes = await present(
    ['volume', 'ls', '--format', '{{.Name}}'],
    names.map((n) => `${n}-data`),
  );
  if (removed.volumes.length) await sh('docker', ['volume', 'rm', '-f', ...removed.volumes], 60_000);
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
