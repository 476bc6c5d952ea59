import { request } from 'node:http';
import { HEALTHZ_PATH } from '@silo/contracts';
import type { Endpoint } from '../runtime-driver.js';

/**
 * Waits until the instance behind a published port answers `/healthz` (alive,
 * not necessarily ready). Needed because Docker's userland proxy listens on
 * the host port before the instance does: in that window it accepts a
 * connection and closes it without a byte, and Node 20's `fetch` was measured
 * here to never settle on such a connection (the request stays pending with
 * no handle left). Each attempt here is a plain `http` request bounded by
 * `attemptMs`, so a silent proxy only costs one attempt.
 */
export async function waitAlive(
  endpoint: Endpoint,
  options: { timeoutMs: number; attemptMs?: number; stillRunning: () => Promise<boolean> },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const attemptMs = options.attemptMs ?? 1_000;
  let last = 'no answer';
  let pauseMs = 5;
  let checkAt = Date.now() + 250;
  while (Date.now() < deadline) {
    const answer = await probe(endpoint, attemptMs);
    if (answer === 'alive') return;
    last = answer;
    // Every quarter second, make sure there is still something to wait for.
    if (Date.now() >= checkAt) {
      if (!(await options.stillRunning())) throw new Error('the container exited during start');
      checkAt = Date.now() + 250;
    }
    // A short back-off (5, then every 10 ms): an instance up early is found early, a slow one is not polled hard.
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    pauseMs = 10;
  }
  throw new Error(`no answer on ${endpoint.url}${HEALTHZ_PATH} within ${options.timeoutMs} ms (${last})`);
}

function probe(endpoint: Endpoint, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      { host: endpoint.host, port: endpoint.port, path: HEALTHZ_PATH, agent: false, timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve(res.statusCode !== undefined && res.statusCode < 500 ? 'alive' : `status ${res.statusCode}`);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (err) => resolve(err.message));
    req.end();
  });
}
