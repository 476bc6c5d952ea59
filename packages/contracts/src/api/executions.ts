import { z } from 'zod';
import { STATE_TYPES } from '../state.js';

/**
 * The wire shapes of Kestra's executions API as the instance answers them
 * (Kestra 1.3's `Execution`, `TaskRun`, `State`; the orchestrator's
 * `model/execution-json.ts` produces them, its tests and the console read
 * them). Values the flow author controls (inputs, outputs, variables) stay
 * `unknown`.
 *
 * @example
 * const e = ExecutionJsonSchema.parse(await (await fetch(`${api}/executions/${id}`)).json());
 * e.taskRunList.map((t) => t.state.current); // ['SUCCESS']
 */

/** One entry of a state history: the state entered and when (ISO-8601). */
export const StateHistoryJsonSchema = z.object({ state: z.enum(STATE_TYPES), date: z.string() });
export type StateHistoryJson = z.infer<typeof StateHistoryJsonSchema>;

/** Kestra's `State` on the wire; `startDate`, `endDate` and `duration` are derived from the history. */
export const StateJsonSchema = z.object({
  current: z.enum(STATE_TYPES),
  histories: z.array(StateHistoryJsonSchema),
  startDate: z.string(),
  /** Terminal states only. */
  endDate: z.string().optional(),
  /** ISO-8601, e.g. `PT1.234S`. */
  duration: z.string(),
});
export type StateJson = z.infer<typeof StateJsonSchema>;

/** One attempt of a task run on the wire. */
export const TaskRunAttemptJsonSchema = z.object({ state: StateJsonSchema, workerId: z.string().optional() });
export type TaskRunAttemptJson = z.infer<typeof TaskRunAttemptJsonSchema>;

/** Kestra's `TaskRun` on the wire. */
export const TaskRunJsonSchema = z.object({
  id: z.string(),
  executionId: z.string(),
  namespace: z.string(),
  flowId: z.string(),
  taskId: z.string(),
  parentTaskRunId: z.string().optional(),
  /** The iteration value of the nearest loop (ForEach...), as a string. */
  value: z.string().optional(),
  /** LoopUntil iteration. */
  iteration: z.number().int().optional(),
  attempts: z.array(TaskRunAttemptJsonSchema),
  outputs: z.record(z.string(), z.unknown()).nullable(),
  state: StateJsonSchema,
});
export type TaskRunJson = z.infer<typeof TaskRunJsonSchema>;

/** A label of a flow or an execution. */
export const LabelJsonSchema = z.object({ key: z.string(), value: z.string() });
export type LabelJson = z.infer<typeof LabelJsonSchema>;

/** Kestra's `ExecutionTrigger`: what started the execution (schedule, webhook, flow trigger). */
export const ExecutionTriggerJsonSchema = z.object({
  id: z.string(),
  type: z.string(),
  variables: z.record(z.string(), z.unknown()).optional(),
});
export type ExecutionTriggerJson = z.infer<typeof ExecutionTriggerJsonSchema>;

/** Kestra's `Execution` on the wire. */
export const ExecutionJsonSchema = z.object({
  id: z.string(),
  namespace: z.string(),
  flowId: z.string(),
  flowRevision: z.number().int(),
  labels: z.array(LabelJsonSchema),
  taskRunList: z.array(TaskRunJsonSchema),
  inputs: z.record(z.string(), z.unknown()),
  outputs: z.record(z.string(), z.unknown()).optional(),
  state: StateJsonSchema,
  parentId: z.string().optional(),
  originalId: z.string().optional(),
  trigger: ExecutionTriggerJsonSchema.optional(),
  scheduleDate: z.string().optional(),
  deleted: z.boolean(),
  metadata: z.object({ attemptNumber: z.number().int(), originalCreatedDate: z.string().optional() }),
});
export type ExecutionJson = z.infer<typeof ExecutionJsonSchema>;

/** A page of `GET /executions/search`. */
export const ExecutionPageJsonSchema = z.object({
  results: z.array(ExecutionJsonSchema),
  total: z.number().int(),
});
export type ExecutionPageJson = z.infer<typeof ExecutionPageJsonSchema>;
