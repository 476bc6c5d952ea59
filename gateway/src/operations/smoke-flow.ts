import type { Lease } from '../lifecycle/instance-manager.js';
import { instanceCall } from './instance-call.js';

/**
 * Runs a caller's flow as part of a smoke check: created (it must be
 * accepted by the instance's dialect), executed to SUCCESS (`wait=true`),
 * then its execution and the flow are deleted. Throws with what failed.
 *
 * @example
 * await runSmokeFlow(lease, 'acme', 'id: health\nnamespace: ops\ntasks: [...]');
 */
export async function runSmokeFlow(
  lease: Pick<Lease, 'endpoint' | 'token'>,
  tenantId: string,
  source: string,
): Promise<void> {
  const api = `/api/v1/${tenantId}`;
  const opts = { timeoutMs: 60_000 };
  const made = await instanceCall(lease, 'POST', `${api}/flows`, {
    ...opts,
    body: source,
    type: 'application/x-yaml',
  });
  if (made.status !== 200)
    throw new Error(`the smoke flow was refused: ${made.status} ${made.text.slice(0, 300)}`);
  const { namespace, id } = made.json() as { namespace: string; id: string };
  try {
    const run = await instanceCall(lease, 'POST', `${api}/executions/${namespace}/${id}?wait=true`, {
      ...opts,
      body: '',
      type: 'application/json',
    });
    if (run.status !== 200)
      throw new Error(`the smoke flow's execution was refused: ${run.status} ${run.text.slice(0, 300)}`);
    const execution = run.json() as { id: string; state?: { current?: string } };
    await instanceCall(lease, 'DELETE', `${api}/executions/${execution.id}?deleteLogs=true`, opts);
    if (execution.state?.current !== 'SUCCESS')
      throw new Error(
        `the smoke flow's execution ${execution.id} ended ${execution.state?.current ?? 'without a state'}, not SUCCESS`,
      );
  } finally {
    await instanceCall(lease, 'DELETE', `${api}/flows/${namespace}/${id}`, opts).catch(() => undefined);
  }
}
