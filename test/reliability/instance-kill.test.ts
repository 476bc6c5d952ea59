import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { figureTable } from './figures.js';
import { killWithExecutionsInFlight } from './kill-kit.js';
import { instancePid } from './load-kit.js';

/** Issue 19 §1 on the process runtime: the instance SIGKILLed with 100 executions in flight (`kill-kit.ts`). */
const figures = figureTable('instance SIGKILL with 100 executions in flight (process runtime)');

describe('reliability: instance SIGKILL with executions in flight', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ instance: 'orchestrator' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('loses none, ends all, runs no task more often than its recorded attempts', async () => {
    const key = await t.tenant('crash');
    const result = await killWithExecutionsInFlight({
      url: t.url,
      tenant: 'crash',
      key,
      admin: t.admin,
      kill: async () => {
        const pid = instancePid(t.dataDir, 'crash');
        expect(pid).toBeGreaterThan(0);
        process.kill(pid as number, 'SIGKILL');
      },
    });
    figures.record('SIGKILL', result);
  }, 300_000);
});
