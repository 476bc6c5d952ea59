/**
 * What the Kestra 2.0 API scenarios (scenarios.ts) share: the client they
 * call, the flows they deploy, and the checks they make. The scenarios are written from the docs digest
 * (`shared/conformance/kestra-2.0/CHANGES.md`, sections B and C.3), each one
 * thing a 2.0 client relies on. `api.test.ts` runs them on a 2.0 instance
 * and prints `conformance 2.0 api: N/M passed`.
 */
// biome-ignore lint/suspicious/noExplicitAny: scenario bodies are read loosely and checked field by field
export type Loose = any;

/** What a scenario calls: the tenant API of one 2.0 instance, as `/api/v1/main/...`. */
export type Api = {
  call(method: string, path: string, init?: { body?: string | FormData; type?: string }): Promise<Response>;
  /** Runs the flow to its end (`?wait=true`), returns the execution. */
  run(flowId: string): Promise<Loose>;
  /** Polls an execution until it is in `state` (bounded: 5 s). */
  waitFor(id: string, state: string): Promise<Loose>;
};

export type Scenario = { name: string; source: string; run(api: Api): Promise<void> };

/** The flows the scenarios use (namespace `conformance.api`). */
export const FLOWS = [
  `id: hello
namespace: conformance.api
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hello
  - id: warn
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: careful
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: forty-two
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
`,
  `id: waiter
namespace: conformance.api
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: resumed
`,
  `id: failing
namespace: conformance.api
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: expected failure
`,
];

const PROBLEMS = 'https://kestra.io/docs/api-reference/problems/';

export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

export async function json(r: Response, status: number, what: string): Promise<Loose> {
  const text = await r.text();
  check(r.status === status, `${what}: expected ${status}, got ${r.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

export async function problem(r: Response, status: number, type: string, what: string): Promise<Loose> {
  check(
    r.headers.get('content-type')?.includes('application/problem+json') === true,
    `${what}: not problem+json`,
  );
  const body = await json(r, status, what);
  check(body.type === `${PROBLEMS}${type}`, `${what}: type ${body.type}, expected …/${type}`);
  check(
    body.status === status && typeof body.title === 'string' && typeof body.detail === 'string',
    `${what}: members`,
  );
  check(typeof body.instance === 'string' && body.instance.startsWith('/api/v1/'), `${what}: instance`);
  check(!Object.values(body).includes(null), `${what}: a member is null (absent members are omitted)`);
  return body;
}
