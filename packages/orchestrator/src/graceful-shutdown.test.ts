import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionJson, LogEntryJson } from '@silo/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, INSTANCE_MAIN, startInstanceProcess } from './testing/instance-process.js';

/**
 * Graceful SIGTERM (issue 4, item 7; DESIGN.md "Contract between gateway and
 * instance"): the real orchestrator (`dist/main.js`, built by `npx tsc -b`)
 * with two shell tasks running — one ends within the grace period, one
 * outlives it. SIGTERM → exit 0 within the grace period (plus start-up
 * slack); after a restart on the same data folder the first execution goes
 * on from its finished task, and the second task run gets a new attempt
 * (attempt 1 KILLED, attempt 2 SUCCESS): nothing lost, nothing run twice.
 */
const dir = mkdtempSync(join(tmpdir(), 'silo-sigterm-'));
const children: ChildProcess[] = [];

async function start(port: number): Promise<ChildProcess> {
  const child = await startInstanceProcess({
    tenantId: 'sigterm',
    port,
    dataDir: join(dir, 'data'),
    env: { SILO_SHUTDOWN_GRACE_MS: String(GRACE_MS) },
  });
  children.push(child);
  return child;
}
const GRACE_MS = 2000;

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const marker = join(dir, 'long-started');
const FLOWS = [
  `id: short
namespace: grace.test
tasks:
  - id: work
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - sleep 0.8
      - echo short-done
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: after
`,
  // Attempt 1 outlives the grace period; attempt 2 (after the restart) finds the marker and ends at once.
  `id: long
namespace: grace.test
tasks:
  - id: work
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - "if [ -f '${marker}' ]; then echo second; else touch '${marker}'; sleep 30; fi"
`,
];

describe('graceful shutdown (SIGTERM)', () => {
  it('exits 0 within the grace period; finished work is kept, outlived work gets a new attempt after restart', async () => {
    expect(existsSync(INSTANCE_MAIN), `${INSTANCE_MAIN} missing: run npx tsc -b first`).toBe(true);
    const port = await freePort();
    const api = `http://127.0.0.1:${port}/api/v1/main`;
    const first = await start(port);
    for (const body of FLOWS) {
      const r = await fetch(`${api}/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-yaml' },
        body,
      });
      expect(r.status, await r.text()).toBe(200);
    }
    const run = async (flow: string) =>
      (
        (await (
          await fetch(`${api}/executions/grace.test/${flow}`, { method: 'POST' })
        ).json()) as ExecutionJson
      ).id;
    const shortId = await run('short');
    const longId = await run('long');
    // Both shell tasks are running.
    const get = async (id: string) =>
      (await (await fetch(`${api}/executions/${id}`)).json()) as ExecutionJson;
    const end = Date.now() + 5000;
    while (Date.now() < end) {
      const [a, b] = await Promise.all([get(shortId), get(longId)]);
      const running = (e: ExecutionJson) => e.taskRunList.some((t) => t.state.current === 'RUNNING');
      if (running(a) && running(b) && existsSync(marker)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(existsSync(marker)).toBe(true);

    const sentAt = Date.now();
    first.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => first.once('exit', (c) => resolve(c)));
    const took = Date.now() - sentAt;
    expect(code).toBe(0);
    expect(took).toBeLessThan(GRACE_MS + 1500);
    expect(took).toBeGreaterThanOrEqual(GRACE_MS - 100); // it did wait for the long task

    await start(port);
    const settled = async (id: string) => {
      const stop = Date.now() + 15_000;
      while (Date.now() < stop) {
        const e = await get(id);
        if (['SUCCESS', 'WARNING', 'FAILED', 'KILLED'].includes(e.state.current)) return e;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`execution ${id} did not end`);
    };
    const short = await settled(shortId);
    expect(short.state.current).toBe('SUCCESS');
    expect(short.taskRunList.map((t) => t.taskId)).toEqual(['work', 'after']);
    // Finished within the grace period: one attempt, not run again.
    expect(short.taskRunList[0]?.attempts.map((a) => a.state.current)).toEqual(['SUCCESS']);

    const long = await settled(longId);
    expect(long.state.current).toBe('SUCCESS');
    expect(long.taskRunList).toHaveLength(1);
    expect(long.taskRunList[0]?.attempts.map((a) => a.state.current)).toEqual(['KILLED', 'SUCCESS']);
    const logs = (await (await fetch(`${api}/logs/${longId}`)).json()) as LogEntryJson[];
    expect(logs.map((l) => l.message)).toContain('second');
  }, 60_000);
});
