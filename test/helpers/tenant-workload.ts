/**
 * A tenant's work through the gateway's tenant API (flows, executions, KV,
 * logs) and a comparable picture of its state, for the backup, restore and
 * move tests.
 */

/** A flow whose executions stay in flight for `sleep` (ISO-8601), then log and succeed. */
export const sleepyFlow = (id: string, sleep = 'PT3S') => `id: ${id}
namespace: ops
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hello from {{ execution.id }}
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: ${sleep}
  - id: done
    type: io.kestra.plugin.core.debug.Return
    format: done
`;

export type TenantApi = {
  call: (method: string, path: string, body?: string, type?: string) => Promise<Response>;
  json: <T>(path: string) => Promise<T>;
};

/** The tenant API of one tenant behind a gateway; every call bounded to 30 s. */
export function tenantApi(url: string, tenantId: string, key: string): TenantApi {
  const call = (method: string, path: string, body?: string, type = 'application/json') =>
    fetch(`${url}/api/v1/${tenantId}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': type } : {}) },
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  return {
    call,
    json: async <T>(path: string) => {
      const res = await call('GET', path);
      if (!res.ok) throw new Error(`GET ${path} → ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
  };
}

/** Deploys a flow (YAML). */
export async function deploy(api: TenantApi, yaml: string): Promise<void> {
  const res = await api.call('POST', '/flows', yaml, 'application/x-yaml');
  if (res.status >= 300) throw new Error(`deploy → ${res.status} ${await res.text()}`);
}

/** Starts `n` executions of `ops/<flowId>`; returns their ids. */
export async function startExecutions(api: TenantApi, flowId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await api.call('POST', `/executions/ops/${flowId}`);
    if (res.status >= 300) throw new Error(`execution → ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  return ids;
}

export type Execution = { id: string; flowId: string; state: { current: string } };

/** Every execution of the tenant (up to 1000). */
export async function executions(api: TenantApi): Promise<Execution[]> {
  const page = await api.json<{ results: Execution[]; total: number }>('/executions/search?size=1000');
  return page.results;
}

/** Flows, execution ids, KV and log messages: what must be equal after a move. */
export async function picture(api: TenantApi) {
  const flows = (await api.json<{ results: { id: string }[] }>('/flows/search?size=100')).results
    .map((f) => f.id)
    .sort();
  const runs = (await executions(api)).map((e) => e.id).sort();
  // Kestra 1.3 lists KV entries as an array, 2.0 as a page ({results, total}).
  const listed = await api.json<{ key: string }[] | { results: { key: string }[] }>('/namespaces/ops/kv');
  const kv = (Array.isArray(listed) ? listed : listed.results).map((k) => k.key).sort();
  const logs: string[] = [];
  for (const id of runs) {
    const lines = await api.json<{ message: string; taskId?: string }[]>(`/logs/${id}`);
    logs.push(...lines.filter((l) => l.taskId === 'hello').map((l) => l.message));
  }
  return { flows, executions: runs, kv, logs: logs.sort() };
}
