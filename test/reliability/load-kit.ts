import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Short mode (CI) or long mode (`npm run soak`: SILO_RELIABILITY=long). */
export const LONG = process.env.SILO_RELIABILITY === 'long';

/** A quick flow with a log line and a webhook trigger. */
export const QUICK_FLOW = `id: quick
namespace: load
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hello {{ execution.id }}
  - id: done
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.body.n ?? 'api' }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: load-key-0123456789
`;

/** Latencies in ms; `quantile(0.99)`. */
export class Latencies {
  readonly #values: number[] = [];
  add(ms: number): void {
    this.#values.push(ms);
  }
  get count(): number {
    return this.#values.length;
  }
  quantile(q: number): number {
    if (this.#values.length === 0) return 0;
    const sorted = [...this.#values].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  }
}

/** Resident memory of a process in MiB (0 when it is gone), from /proc. */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** Open file descriptors of a process (0 when it is gone). */
export function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** The pid of a tenant's running instance, from its record (process runtime). */
export function instancePid(dataDir: string, tenant: string): number | undefined {
  const path = join(dataDir, 'tenants', tenant, 'instance.json');
  if (!existsSync(path)) return undefined;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

/** Least-squares slope of (x, y) points (y per x). */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}
