import { readFileSync } from 'node:fs';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

/**
 * Long work shows progress: the load harness's requests in flight (so a
 * wedge shows which requests are stuck and since when) and a periodic line
 * of what the gateway and the harness are doing.
 */

/** A request the harness has sent and not yet seen end. */
export type Flight = { tenant: string; what: string; at: number };

/** The harness's requests in flight, oldest first. */
export class Flights {
  #next = 0;
  readonly #live = new Map<number, Flight>();
  begin(tenant: string, what: string): number {
    const id = this.#next++;
    this.#live.set(id, { tenant, what, at: Date.now() });
    return id;
  }
  end(id: number): void {
    this.#live.delete(id);
  }
  get size(): number {
    return this.#live.size;
  }
  /** Age in ms of the oldest request in flight (0 when none). */
  oldestMs(): number {
    const first = this.#live.values().next();
    return first.done ? 0 : Date.now() - first.value.at;
  }
  /** The `limit` oldest requests in flight, as `tenant METHOD path (age s)`. */
  stuck(limit = 20): string[] {
    const now = Date.now();
    return [...this.#live.values()]
      .slice(0, limit)
      .map((f) => `${f.tenant} ${f.what} (${((now - f.at) / 1000).toFixed(1)} s)`);
  }
}

/** CPU time of a process in seconds (user + system, from /proc; 0 when it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The 1-minute load average of the machine. */
export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return -1;
  }
}

/**
 * CPU use, as a percentage of one core, of a changing set of processes
 * between two calls (a process counts from its second sighting on).
 */
export function cpuMeter(): (pids: number[]) => number {
  let seen = new Map<number, number>();
  let at = Date.now();
  return (pids) => {
    const now = Date.now();
    const next = new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
    let used = 0;
    for (const [pid, s] of next) {
      const before = seen.get(pid);
      if (before !== undefined) used += Math.max(0, s - before);
    }
    const wall = Math.max(1, now - at) / 1000;
    seen = next;
    at = now;
    return Math.round((100 * used) / wall);
  };
}

/**
 * Prints `[label +Ns] key=value …` every `everyMs` from `line()` (plus this
 * process's event-loop lag over the interval), until the returned stop is
 * called. The line is written to stderr so vitest shows it live.
 */
export function startProgress(
  label: string,
  everyMs: number,
  line: (lag: { p99: number; max: number }) => Promise<string>,
): () => void {
  const started = Date.now();
  let lag: RecordableHistogram = createHistogram();
  let last = performance.now();
  // A 20 ms ticker measures its own delay: the event loop's lag as the harness and gateway feel it.
  const ticker = setInterval(() => {
    const now = performance.now();
    lag.record(Math.max(1, Math.round((now - last - 20) * 1e6)));
    last = now;
  }, 20);
  let busy = false;
  const printer = setInterval(() => {
    if (busy) return;
    busy = true;
    const measured = { p99: Math.round(lag.percentile(99) / 1e6), max: Math.round(lag.max / 1e6) };
    lag = createHistogram();
    const elapsed = Math.round((Date.now() - started) / 1000);
    line(measured)
      .then((text) => process.stderr.write(`[${label} +${elapsed}s] ${text}\n`))
      .catch((err: Error) =>
        process.stderr.write(`[${label} +${elapsed}s] progress failed: ${err.message}\n`),
      )
      .finally(() => {
        busy = false;
      });
  }, everyMs);
  return () => {
    clearInterval(ticker);
    clearInterval(printer);
  };
}
