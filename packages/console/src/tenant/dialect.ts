import type { Client } from '../api';
import type { Execution, KvEntry } from '../types';

/**
 * What differs between a Kestra 1.3 and a 2.0 tenant, read one way for both
 * (the console has no dialect switch): KV lists and task-run outputs.
 */

/** A KV list: 1.3 answers a bare array, 2.0 a page `{results, total}`; `revision` (2.0) is `version` (1.3). */
export function kvEntries(body: unknown): KvEntry[] {
  const list: unknown = Array.isArray(body) ? body : (body as { results?: unknown } | undefined)?.results;
  if (!Array.isArray(list)) return [];
  return (list as (KvEntry & { revision?: number })[]).map((e) =>
    e.version === undefined && e.revision !== undefined ? { ...e, version: e.revision } : e,
  );
}

/** True when a task run of the execution carries its outputs (1.3); a 2.0 execution body carries none. */
export function carriesOutputs(e: Execution): boolean {
  return (e.taskRunList ?? []).some((tr) => tr.outputs && Object.keys(tr.outputs).length > 0);
}

/** One row of `GET /outputs/{executionId}`: a task run that has outputs. */
export type TaskOutputInfo = { taskId: string; taskRunId: string; value?: unknown; iteration?: number };

/**
 * The outputs of every task run that has some, by task run id, read from
 * `GET /outputs/{executionId}` then `GET /outputs/{executionId}/{taskRunId}`
 * (served on both dialects).
 */
export async function loadTaskOutputs(
  api: Client,
  executionId: string,
): Promise<Record<string, Record<string, unknown>>> {
  const base = `/outputs/${encodeURIComponent(executionId)}`;
  const infos = (await api.get<TaskOutputInfo[] | undefined>(base)) ?? [];
  const maps = await Promise.all(
    infos.map((i) =>
      api.get<Record<string, unknown> | undefined>(`${base}/${encodeURIComponent(i.taskRunId)}`),
    ),
  );
  const byRun: Record<string, Record<string, unknown>> = {};
  infos.forEach((i, n) => {
    byRun[i.taskRunId] = maps[n] ?? {};
  });
  return byRun;
}

/** The execution with the loaded outputs put back on its task runs (those it carries are kept). */
export function withTaskOutputs(
  e: Execution,
  byRun: Record<string, Record<string, unknown>> | undefined,
): Execution {
  if (!byRun || Object.keys(byRun).length === 0) return e;
  return {
    ...e,
    taskRunList: (e.taskRunList ?? []).map((tr) =>
      tr.outputs && Object.keys(tr.outputs).length > 0
        ? tr
        : byRun[tr.id]
          ? { ...tr, outputs: byRun[tr.id] }
          : tr,
    ),
  };
}
