import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFlow } from '../flow/parse-flow.js';
import type { Execution } from '../model/execution.js';
import { Engine } from '../runner/engine.js';
import { openDatabase, type SqliteDatabase } from '../sqlite/database.js';
import { sqliteEngineStores } from '../sqlite/sqlite-engine-stores.js';
import { SqliteFlowRepository } from '../sqlite/sqlite-flow-repository.js';
import type { RunnableTask } from './runnable-task.js';

const LOG = 'io.kestra.plugin.core.log.Log';
const source = `id: lease
namespace: company.team
tasks:
  - id: work
    type: ${LOG}
    message: hi
`;

let db: SqliteDatabase | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

/** An engine on a manual lease clock whose Log task hangs (ignoring its signal) on attempt 1 only. */
function setup() {
  db = openDatabase(':memory:');
  const flows = new SqliteFlowRepository(db);
  const parsed = parseFlow(source);
  if (!parsed.ok) throw new Error('bad flow');
  const flow = flows.create(source, parsed.flow, new Date()).flow;
  const clock = { now: 1_000_000 };
  const hang: RunnableTask = {
    type: LOG,
    run: (_task, ctx) => (ctx.attempt === 1 ? new Promise(() => {}) : Promise.resolve({ outputs: {} })),
  };
  const engine = new Engine({
    stores: sqliteEngineStores(db),
    flows,
    dataDir: '/nonexistent',
    logger: pino({ level: 'silent' }),
    tasks: [hang],
    leaseMs: 1000,
    clock: { now: () => new Date(clock.now) },
  });
  return { engine, flow, clock, db };
}

const until = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('worker leases', () => {
  it('renews the lease of a running attempt, and sweeps it once its holder stops renewing', async () => {
    // Engine.start() is not called: it would start the real-time lease timers; the test drives them.
    const { engine, flow, clock, db } = setup();
    const created = engine.create(flow, { inputs: {}, labels: [] });
    const jobRow = () =>
      db.prepare('SELECT attempt, state, lease_until FROM jobs').get() as
        | { attempt: number; state: string; lease_until: number | null }
        | undefined;
    await until(() => jobRow()?.state === 'RUNNING');
    expect(jobRow()).toMatchObject({ attempt: 1, lease_until: 1_001_000 });

    clock.now += 900;
    expect(engine.worker.renewLeases()).toBe(1);
    expect(jobRow()?.lease_until).toBe(1_001_900);
    clock.now += 600; // 1_001_500: still leased
    expect(engine.worker.requeueExpired()).toBe(0);

    clock.now += 1000; // 1_002_500: nobody renewed since 1_000_900
    expect(engine.worker.requeueExpired()).toBe(1);

    // The hung attempt is dropped; the task run gets attempt 2, which succeeds.
    const done = (await engine.waitSettled(created.id, 3000)) as Execution;
    expect(done.state.current).toBe('SUCCESS');
    const tr = done.taskRunList[0]!;
    expect(tr.attempts.map((a) => a.state.current)).toEqual(['KILLED', 'SUCCESS']);
    expect(jobRow()).toBeUndefined();
    await engine.stop(0);
  });

  it('a sweep leaves leases that have not expired, and an empty queue, alone', async () => {
    const { engine, clock } = setup();
    expect(engine.worker.requeueExpired()).toBe(0);
    clock.now += 10_000_000;
    expect(engine.worker.requeueExpired()).toBe(0);
    await engine.stop(0);
  });
});

describe('worker concurrency', () => {
  it('never runs more attempts at once than workerConcurrency', async () => {
    db = openDatabase(':memory:');
    const flows = new SqliteFlowRepository(db);
    const src = `id: wide
namespace: company.team
tasks:
  - id: p
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
${Array.from({ length: 6 }, (_, i) => `      - id: t${i}\n        type: ${LOG}\n        message: hi`).join('\n')}
`;
    const parsed = parseFlow(src);
    if (!parsed.ok) throw new Error('bad flow');
    const flow = flows.create(src, parsed.flow, new Date()).flow;
    let running = 0;
    let peak = 0;
    const slow: RunnableTask = {
      type: LOG,
      run: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return {};
      },
    };
    const engine = new Engine({
      stores: sqliteEngineStores(db),
      flows,
      dataDir: '/nonexistent',
      logger: pino({ level: 'silent' }),
      tasks: [slow],
      workerConcurrency: 2,
    });
    engine.start();
    const created = engine.create(flow, { inputs: {}, labels: [] });
    const done = await engine.waitSettled(created.id, 5000);
    expect(done?.state.current).toBe('SUCCESS');
    expect(peak).toBe(2);
    await engine.stop(0);
  });
});
