/**
 * A Kestra 2.0 execution body carries no task-run outputs (ApiExecution,
 * packages/orchestrator/API-SCOPE-2.0.md): a client reads them from
 * `GET /outputs/{executionId}/{taskRunId}`. This puts them back on each task
 * run, so a test reads the same shape from a 1.3 or a 2.0 tenant.
 *
 * @example
 * const execution = await withTaskOutputs((p) => fetch(`${url}/api/v1/acme${p}`, { headers }), await res.json());
 */
export async function withTaskOutputs<
  E extends { id: string; taskRunList?: Array<{ id?: string; outputs?: unknown }> },
>(get: (path: string) => Promise<Response>, execution: E): Promise<E> {
  if (!Array.isArray(execution.taskRunList)) return execution;
  const taskRunList = await Promise.all(
    execution.taskRunList.map(async (t) => {
      if (t.outputs !== undefined || t.id === undefined) return t;
      const res = await get(`/outputs/${execution.id}/${t.id}`);
      if (res.status !== 200) return t;
      const outputs = (await res.json()) as Record<string, unknown>;
      return Object.keys(outputs).length > 0 ? { ...t, outputs } : t;
    }),
  );
  return { ...execution, taskRunList };
}
