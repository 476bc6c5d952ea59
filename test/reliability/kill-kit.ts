import { expect } from 'vitest';
import { waitFor } from '../helpers/test-gateway.js';

/** What the SIGKILL scenario needs of a gateway and runtime. */
export type KillTarget = {
  url: string;
  tenant: string;
  key: string;
  admin: <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;
  /** Kills the tenant's running instance at once (SIGKILL of the process, `docker kill` of the container). */
  kill: () => Promise<void>;
};

const N = 100;
const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED']);

const CHILD = `id: child
namespace: crash
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: ran-child
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1S
`;
const MIXED = `id: mixed
namespace: crash
tasks:
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - echo ran-sh
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT2S
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: p1
        type: io.kestra.plugin.core.log.Log
        message: ran-p1
      - id: p2
        type: io.kestra.plugin.core.flow.Sleep
        duration: PT1S
  - id: sub
    type: io.kestra.plugin.core.flow.Subflow
    namespace: crash
    flowId: child
`;

type TaskRun = { taskId: string; attempts: unknown[] };
type Exec = { id: string; state: { current: string }; taskRunList?: TaskRun[] };

/**
 * Issue 19 §1: 100 executions in flight, mixed (a shell task, Sleep,
 * Parallel, Subflow), then the instance is killed. After the next start:
 * none lost, all SUCCESS, and no shell task ran more often than the attempts
 * it recorded (each run logs one `ran-sh` line). Returns the figures.
 */
export async function killWithExecutionsInFlight(
  target: KillTarget,
): Promise<Record<string, string | number>> {
  const call = (method: string, path: string, body?: string, type = 'application/x-yaml') =>
    fetch(`${target.url}/api/v1/${target.tenant}${path}`, {
      method,
      headers: { authorization: `Bearer ${target.key}`, ...(body ? { 'content-type': type } : {}) },
      ...(body ? { body } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  for (const flow of [CHILD, MIXED]) {
    const res = await call('POST', '/flows', flow);
    expect(res.status, await res.text()).toBe(200);
  }
  // Answers other than 200 and 404 (a 503 while the instance wakes, a 429) are counted, never taken for a loss.
  const transient = new Map<string, number>();
  const get = async (id: string): Promise<Exec | 'absent' | undefined> => {
    const res = await call('GET', `/executions/${id}`);
    if (res.status !== 200) {
      const text = await res.text();
      if (res.status === 404) return 'absent';
      const s = `${res.status} ${text.slice(0, 60)}`;
      transient.set(s, (transient.get(s) ?? 0) + 1);
      return undefined;
    }
    return (await res.json()) as Exec;
  };
  const state = async (id: string) => {
    const e = await get(id);
    return typeof e === 'object' ? e.state.current : '';
  };

  const ids = await Promise.all(
    Array.from({ length: N }, async () => {
      const res = await call('POST', '/executions/crash/mixed');
      expect(res.status).toBe(200);
      return ((await res.json()) as { id: string }).id;
    }),
  );
  await new Promise((r) => setTimeout(r, 1_000));
  const before = await Promise.all(ids.map(state));
  const inFlight = before.filter((state) => !TERMINAL.has(state)).length;
  await target.kill();
  const killedAt = Date.now();
  await waitFor(
    'the killed instance seen stopped',
    async () =>
      (await target.admin<{ instance: { state: string } }>('GET', `/admin/v1/tenants/${target.tenant}`))
        .instance.state === 'stopped',
    10_000,
  );

  // The next request starts the instance again; recovery resubmits what was in flight.
  const final = new Map<string, Exec>();
  const deadline = Date.now() + 120_000;
  while (final.size < N && Date.now() < deadline) {
    for (const id of ids) {
      if (final.has(id)) continue;
      const e = await get(id);
      if (typeof e === 'object' && TERMINAL.has(e.state.current)) final.set(id, e);
    }
    if (final.size < N) await new Promise((r) => setTimeout(r, 500));
  }
  const allTerminalS = ((Date.now() - killedAt) / 1000).toFixed(1);
  // Lost: answered 404 (an execution that ended terminal and vanished counts too). A transient answer is asked again.
  let lost = 0;
  for (const id of ids) {
    let e = await get(id);
    for (let tries = 0; e === undefined && tries < 20; tries++) {
      await new Promise((r) => setTimeout(r, 500));
      e = await get(id);
    }
    if (e === 'absent' || (e === undefined && !final.has(id))) lost += 1;
  }

  let extraRuns = 0;
  let shellRuns = 0;
  const states = new Map<string, number>();
  for (const e of final.values()) {
    states.set(e.state.current, (states.get(e.state.current) ?? 0) + 1);
    const res = await call('GET', `/logs/${e.id}`);
    const logs = (await res.json()) as { message: string; taskId?: string }[];
    const ran = logs.filter((l) => l.message.includes('ran-sh') && !l.message.includes('echo')).length;
    const attempts = Math.max(1, (e.taskRunList ?? []).find((r) => r.taskId === 'sh')?.attempts.length ?? 0);
    shellRuns += ran;
    if (ran > attempts) extraRuns += 1;
  }
  const figures = {
    executions: N,
    inFlightAtKill: inFlight,
    lost,
    terminal: final.size,
    ...Object.fromEntries([...states].map(([s, n]) => [s, n])),
    shellRuns,
    shellRunsBeyondAttempts: extraRuns,
    allTerminalAfterS: allTerminalS,
    transient: [...transient].map(([s, n]) => `${n}×${s}`).join('; ') || 'none',
  };
  expect(inFlight).toBeGreaterThan(0);
  // The count of runs is read from the shell's own output: it must be there for every execution.
  expect(shellRuns).toBeGreaterThanOrEqual(N);
  expect({ lost, terminal: final.size, extraRuns }, JSON.stringify(figures)).toEqual({
    lost: 0,
    terminal: N,
    extraRuns: 0,
  });
  expect(states.get('SUCCESS')).toBe(N);
  return figures;
}
