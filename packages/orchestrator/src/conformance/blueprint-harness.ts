import { expect } from 'vitest';
import type { StubRequest } from './blueprint-stub.js';

/** The execution fields the blueprint checks read (Kestra's `Execution` JSON). */
export type BpTaskRun = {
  id: string;
  taskId: string;
  value?: string | null;
  state: { current: string; histories: Array<{ state: string; date: string }> };
  attempts?: Array<{ state: { current: string } }> | null;
  outputs?: Record<string, unknown> | null;
};
export type BpExec = {
  id: string;
  namespace: string;
  flowId: string;
  state: { current: string };
  taskRunList: BpTaskRun[];
  outputs?: Record<string, unknown> | null;
  labels: Array<{ key: string; value: string }>;
  trigger?: { id: string; type: string; variables?: Record<string, unknown> } | null;
};
export type BpLog = { taskRunId: string | null; taskId: string | null; level: string; message: string };

/** What a blueprint check is given: the API of the in-process orchestrator, the stub's requests, the flow's YAML. */
export type BpContext = {
  /** A request under `/api/v1/{tenant}`; a JSON body is sent as JSON, `FormData` and strings as they are. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Runs a flow with `?wait=true` and answers the execution (inputs as JSON, or `FormData`). */
  run(ns: string, id: string, inputs?: Record<string, unknown> | FormData): Promise<BpExec>;
  get(id: string): Promise<BpExec>;
  logs(id: string): Promise<BpLog[]>;
  /** The executions of a flow, newest first. */
  executionsOf(ns: string, flowId: string): Promise<BpExec[]>;
  /** Polls until `pred` holds or `ms` pass (bounded), answering the last value. */
  until<T>(read: () => Promise<T>, pred: (v: T) => boolean, ms?: number): Promise<T>;
  /** Reads a `kestra:///` file of the instance's internal storage. */
  readStorage(uri: string): Buffer;
  stub: StubRequest[];
  secrets: Record<string, string>;
  /** The flow's YAML after the `__STUB_PORT__` rewrite. */
  source: string;
};

export type BpCheck = (c: BpContext) => Promise<void>;

export const TERMINAL = ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED'];
export const isDone = (e: BpExec) => TERMINAL.includes(e.state.current);

export const runsOf = (e: BpExec, taskId: string) => e.taskRunList.filter((t) => t.taskId === taskId);
export const stateOf = (e: BpExec, taskId: string) => runsOf(e, taskId)[0]?.state.current;
export const outputOf = (e: BpExec, taskId: string, key: string) => runsOf(e, taskId)[0]?.outputs?.[key];

/** The messages logged by one task of an execution. */
export async function messagesOf(c: BpContext, e: BpExec, taskId: string): Promise<string[]> {
  return (await c.logs(e.id)).filter((l) => l.taskId === taskId).map((l) => l.message);
}

/** The execution ended in `state`, with every task run it made in a final state. */
export function expectState(e: BpExec, state = 'SUCCESS'): void {
  const failed = e.taskRunList.filter((t) => t.state.current === 'FAILED').map((t) => t.taskId);
  expect(e.state.current, `final state (failed task runs: ${failed.join(', ') || 'none'})`).toBe(state);
}

/** Runs the flow and expects SUCCESS. */
export async function runOk(
  c: BpContext,
  ns: string,
  id: string,
  inputs?: Record<string, unknown> | FormData,
): Promise<BpExec> {
  const e = await c.run(ns, id, inputs);
  if (e.state.current !== 'SUCCESS') {
    const errors = (await c.logs(e.id))
      .filter((l) => l.level === 'ERROR')
      .map((l) => `${l.taskId}: ${l.message}`);
    throw new Error(`${ns}.${id} ended ${e.state.current}: ${errors.join(' | ').slice(0, 600)}`);
  }
  return e;
}

/** The time of the first history entry of a task run in `state`. */
export function timeOf(t: BpTaskRun | undefined, state: string): number {
  const h = t?.state.histories.find((x) => x.state === state);
  if (!h) throw new Error(`task run ${t?.taskId} never was ${state}`);
  return Date.parse(h.date);
}

/** The stub requests to a path. */
export const hits = (c: BpContext, path: string) => c.stub.filter((r) => r.path === path);
