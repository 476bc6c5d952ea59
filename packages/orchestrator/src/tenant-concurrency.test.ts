import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionJson } from '@silo/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, INSTANCE_MAIN, startInstanceProcess } from './testing/instance-process.js';

/**
 * `maxConcurrentExecutions` (SILO_MAX_CONCURRENT_EXECUTIONS) on the real
 * instance process: 8 executions of two flows under a cap of 2 never overlap
 * more than 2 RUNNING (from their state histories, not from sampling); the
 * QUEUED ones survive a SIGKILL and all run after the restart.
 */
const dir = mkdtempSync(join(tmpdir(), 'silo-tenant-cap-'));
const children: ChildProcess[] = [];
const CAP = 2;

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const flow = (id: string) => `id: ${id}
namespace: cap.test
tasks:
  - id: s
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.4S
`;

/** The most executions RUNNING at the same instant, from each one's RUNNING → terminal interval. */
function maxOverlap(executions: ExecutionJson[]): number {
  const marks: Array<[number, number]> = [];
  for (const e of executions) {
    const h = e.state.histories;
    const start = h.find((x) => x.state === 'RUNNING');
    const end = h.at(-1);
    if (!start || !end) continue;
    marks.push([Date.parse(start.date), 1], [Date.parse(end.date), -1]);
  }
  // At a tie the end comes first: the slot is released in the transaction that ends the execution.
  marks.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of marks) {
    now += d;
    max = Math.max(max, now);
  }
  return max;
}

describe('maxConcurrentExecutions (tenant-level QUEUE)', () => {
  it(`never runs more than ${CAP} at once, and QUEUED executions survive a SIGKILL and run`, async () => {
    expect(existsSync(INSTANCE_MAIN), `${INSTANCE_MAIN} missing: run npx tsc -b first`).toBe(true);
    const port = await freePort();
    const env = { SILO_MAX_CONCURRENT_EXECUTIONS: String(CAP) };
    const start = async () => {
      const child = await startInstanceProcess({ tenantId: 'cap', port, dataDir: dir, env });
      children.push(child);
      return child;
    };
    const api = `http://127.0.0.1:${port}/api/v1/main`;
    const first = await start();
    for (const id of ['one', 'two']) {
      const r = await fetch(`${api}/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-yaml' },
        body: flow(id),
      });
      expect(r.status).toBe(200);
    }
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await fetch(`${api}/executions/cap.test/${i % 2 === 0 ? 'one' : 'two'}`, { method: 'POST' });
      ids.push(((await r.json()) as { id: string }).id);
    }
    const get = async (id: string) =>
      (await (await fetch(`${api}/executions/${id}`)).json()) as ExecutionJson;
    // Before the kill: CAP running and the rest QUEUED (sampled until so, bounded), never more running.
    // One search per sample: one read of the store, where eight GETs (eight reads, with executor
    // batches committing in between) could see one execution before its end and its successor after.
    const sample = async () => {
      const r = await fetch(`${api}/executions/search?namespace=cap.test&size=100`);
      const page = (await r.json()) as { results: ExecutionJson[] };
      return page.results.filter((e) => ids.includes(e.id)).map((e) => e.state.current);
    };
    let queuedBeforeKill = 0;
    for (const until = Date.now() + 5_000; Date.now() < until; ) {
      const states = await sample();
      expect(states.filter((s) => s === 'RUNNING').length).toBeLessThanOrEqual(CAP);
      queuedBeforeKill = states.filter((s) => s === 'QUEUED').length;
      if (queuedBeforeKill >= 8 - CAP - 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(queuedBeforeKill).toBeGreaterThanOrEqual(8 - CAP - 2);

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    await start();

    const done = new Map<string, ExecutionJson>();
    const end = Date.now() + 30_000;
    while (done.size < ids.length && Date.now() < end) {
      for (const id of ids) {
        if (done.has(id)) continue;
        const e = await get(id);
        if (['SUCCESS', 'WARNING', 'FAILED', 'KILLED'].includes(e.state.current)) done.set(id, e);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(done.size).toBe(8);
    for (const e of done.values()) expect(e.state.current).toBe('SUCCESS');
    const queued = [...done.values()].filter((e) => e.state.histories.some((h) => h.state === 'QUEUED'));
    expect(queued.length).toBeGreaterThanOrEqual(8 - CAP - 2);
    expect(maxOverlap([...done.values()])).toBeLessThanOrEqual(CAP);
    expect(maxOverlap([...done.values()])).toBe(CAP);
  }, 60_000);
});
