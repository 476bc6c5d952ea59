import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';

const FLOW = `id: nap
namespace: e2e
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT12S
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: woke up
`;

describe('a sleeping execution (real orchestrator)', () => {
  let t: TestGateway | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('lets the idle instance stop during a Sleep and wakes it on time to finish', async () => {
    // The Sleep must outlast what the idle reaper keeps awake for a wake that is due soon
    // (lifecycle/reports.ts, the stoppable rule: wake lead 2 s + twice the last start + 1 s, about 4 s here):
    // with PT4S the instance was rightly kept running and never idle-stopped. PT12S: a sandboxed
    // cold start took 2.3 s on a loaded machine (soon = 7.6 s), which PT8S left no time to stop in.
    t = await startTestGateway({
      instance: 'orchestrator',
      env: { SILO_IDLE_TIMEOUT: '300ms' },
      drainMs: 100,
      reportIntervalMs: 100,
    });
    const key = await t.tenant('napper');
    const auth = { authorization: `Bearer ${key}` };
    const deployed = await fetch(`${t.url}/api/v1/napper/flows`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-yaml' },
      body: FLOW,
    });
    expect(deployed.status).toBeLessThan(300);
    const created = await fetch(`${t.url}/api/v1/napper/executions/e2e/nap`, {
      method: 'POST',
      headers: auth,
    });
    expect(created.status).toBeLessThan(300);
    const { id } = (await created.json()) as { id: string };

    const metrics = async () => (t as TestGateway).metrics();
    await waitFor(
      'the idle stop during the Sleep',
      async () => /silo_idle_stops_total 1/.test(await metrics()),
      4_000,
    );
    await waitFor('the wake-up', async () => /silo_wake_ups_total\{[^}]*\} 1/.test(await metrics()), 10_000);
    const execution = await waitFor(
      'the execution to succeed',
      async () => {
        const res = await fetch(`${t?.url}/api/v1/napper/executions/${id}`, { headers: auth });
        const body = (await res.json()) as { state: { current: string } };
        return body.state.current === 'SUCCESS' ? body : undefined;
      },
      10_000,
    );
    expect(execution.state.current).toBe('SUCCESS');
  });
});
