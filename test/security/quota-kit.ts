import { expect } from 'vitest';

/** A shell task that writes 200 MB, as the attacker did (finding 4). */
export const FILL_FLOW = `id: fill
namespace: attack
tasks:
  - id: dd
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - head -c 209715200 /dev/zero > big.bin
`;

/** A shell task that writes 5 MB and succeeds (a neighbour's ordinary work). */
export const SMALL_FLOW = `id: small
namespace: work
tasks:
  - id: dd
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - head -c 5242880 /dev/zero > part.bin && ls -l part.bin
`;

type Exec = { id: string; state: { current: string } };

/** Calls a tenant's API through the gateway with its key. */
export function tenantApi(url: string, tenant: string, key: string) {
  const call = async (path: string, init: RequestInit = {}) =>
    fetch(`${url}/api/v1/${tenant}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) },
      signal: AbortSignal.timeout(120_000),
    });
  return {
    call,
    async deploy(yaml: string): Promise<void> {
      const res = await call('/flows', {
        method: 'POST',
        headers: { 'content-type': 'application/x-yaml' },
        body: yaml,
      });
      expect(res.status, await res.text()).toBe(200);
    },
    async run(ns: string, id: string): Promise<Exec> {
      const res = await call(`/executions/${ns}/${id}?wait=true`, { method: 'POST' });
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as Exec;
    },
    async errors(executionId: string): Promise<string> {
      const res = await call(`/logs/${executionId}`);
      const logs = (await res.json()) as { level: string; message: string }[];
      return logs
        .filter((l) => l.level === 'ERROR')
        .map((l) => l.message)
        .join('\n');
    },
    async putKv(ns: string, key: string, value: unknown): Promise<number> {
      const res = await call(`/namespaces/${ns}/kv/${key}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(value),
      });
      await res.text();
      return res.status;
    },
  };
}
