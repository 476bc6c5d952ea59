import type { Logger } from 'pino';
import type { Registry } from '../tenants/registry.js';

export const DEMO_TENANT = 'demo';
export const DEMO_NAMESPACE = 'demo';
export const DEMO_FLOW_ID = 'hello-world';

/** The first-run flow: logs a greeting and returns it as an output. */
export const DEMO_FLOW_YAML = `id: ${DEMO_FLOW_ID}
namespace: ${DEMO_NAMESPACE}
description: Created by the Silo gateway on its first run.

tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "Hello from Silo! Execution {{ execution.id }}"

  - id: greeting
    type: io.kestra.plugin.core.debug.Return
    format: "Hello, {{ flow.namespace }}!"
`;

export type DemoResult = { key: string; curl: string; flowCreated: boolean; problem?: string };

/**
 * On an empty registry: creates the `demo` tenant and a key, deploys the
 * hello-world flow through the gateway itself (which cold-starts the
 * instance), and returns the key and a `curl` that runs the flow and shows
 * its result. Undefined when the registry already has tenants.
 *
 * @example
 * const demo = await seedDemoTenant(registry, 'http://127.0.0.1:8080', logger);
 */
export async function seedDemoTenant(
  registry: Pick<Registry, 'tenants' | 'keys'>,
  gatewayUrl: string,
  logger: Logger,
): Promise<DemoResult | undefined> {
  if ((await registry.tenants.list()).length > 0) return undefined;
  await registry.tenants.create({ id: DEMO_TENANT, name: 'Demo (created on first run)' });
  const { key } = await registry.keys.create(DEMO_TENANT, 'first-run');
  const curl = `curl -s -X POST -H "Authorization: Bearer ${key}" "${gatewayUrl}/api/v1/${DEMO_TENANT}/executions/${DEMO_NAMESPACE}/${DEMO_FLOW_ID}?wait=true"`;
  try {
    const res = await fetch(`${gatewayUrl}/api/v1/${DEMO_TENANT}/flows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-yaml' },
      body: DEMO_FLOW_YAML,
      signal: AbortSignal.timeout(60_000),
    });
    if (res.ok) return { key, curl, flowCreated: true };
    const problem = `POST /api/v1/${DEMO_TENANT}/flows answered ${res.status}: ${(await res.text()).slice(0, 300)}`;
    logger.warn({ problem }, 'first run: the hello-world flow was not created');
    return { key, curl, flowCreated: false, problem };
  } catch (err) {
    const problem = `could not deploy the hello-world flow: ${(err as Error).message}`;
    logger.warn({ problem }, 'first run: the hello-world flow was not created');
    return { key, curl, flowCreated: false, problem };
  }
}
