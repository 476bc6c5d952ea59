/**
 * The parsed, validated, normalised form of a Kestra 1.x flow: what the
 * parser (`flow/parse-flow.ts`) produces from YAML and what the executor
 * reads. Everything here is plain data (JSON-serialisable), so it can be
 * cached and stored as is.
 *
 * Normalisation done by the parser, so nothing downstream has to care:
 * - task and trigger `type`s are canonical (`io.kestra.plugin.core...`): the
 *   pre-0.20 aliases (`io.kestra.core.tasks...`) and short forms are mapped;
 * - `labels` is always a list of `{key, value}`;
 * - durations are milliseconds;
 * - `retry.maxAttempt` and 2.0's `maxAttempts` are both `maxAttempts`;
 * - input type `BOOL` (2.0) is `BOOLEAN`;
 * - `pluginDefaults` (and the older `taskDefaults`) are already applied to tasks.
 */

export type Label = { key: string; value: string };

/** Where a node came from in the YAML source (1-based), for error messages at run time. */
export type SourcePosition = { line: number; column: number };

export type RetryPolicy = {
  type: 'constant' | 'exponential' | 'random';
  /** Total attempts allowed, the first included (Kestra's `maxAttempt`, 2.0's `maxAttempts`). */
  maxAttempts?: number;
  /** Stop retrying once this much time has passed since the first attempt. */
  maxDurationMs?: number;
  /** constant: the wait between attempts; exponential: the first wait. */
  intervalMs?: number;
  /** exponential: the cap on the wait. */
  maxIntervalMs?: number;
  /** exponential: the multiplier. @default 2 */
  delayFactor?: number;
  /** random: the bounds of the wait. */
  minIntervalMs?: number;
  /** End a task that needed retries in WARNING instead of SUCCESS. @default false */
  warningOnRetry: boolean;
  /** Flow-level retry only: retry the failed task in place, or create a new execution. @default RETRY_FAILED_TASK */
  behavior: 'RETRY_FAILED_TASK' | 'CREATE_NEW_EXECUTION';
};

export type TaskLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * One task. The common properties are typed fields; the properties of its
 * type (`message`, `format`, `value`, `cases`, ...) are in `props`, validated
 * by the type's zod schema in the task registry. For flowable tasks the child
 * tasks inside `props` are already parsed `Task`s:
 * - Sequential, Parallel, AllowFailure, ForEach, EachSequential, EachParallel,
 *   LoopUntil, Pause, WorkingDirectory: `props.tasks: Task[]`
 * - If: `props.then: Task[]`, `props.else?: Task[]`
 * - Switch: `props.cases: Record<string, Task[]>`, `props.defaults?: Task[]`
 * - Dag: `props.tasks: { task: Task; dependsOn: string[] }[]`
 */
export type Task = {
  id: string;
  /** Canonical type, e.g. `io.kestra.plugin.core.log.Log`. */
  type: string;
  description?: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** A disabled task gets no task run at all. */
  disabled: boolean;
  /** A failure of this task becomes WARNING (or SUCCESS with `allowWarning`). */
  allowFailure: boolean;
  allowWarning: boolean;
  /** Expression; when it renders falsy the task run ends SKIPPED. */
  runIf?: string;
  /** Logs below this level are not kept. */
  logLevel?: TaskLogLevel;
  workerGroup?: unknown;
  /** Flowable tasks: run when a child fails. */
  errors?: Task[];
  /** Flowable tasks: run at the end, whatever the outcome. */
  finally?: Task[];
  /** Type-specific properties (templates left unrendered). */
  props: Record<string, unknown>;
  position?: SourcePosition;
};

export const INPUT_TYPES = [
  'STRING',
  'ENUM',
  'SELECT',
  'MULTISELECT',
  'INT',
  'FLOAT',
  'BOOLEAN',
  'DATETIME',
  'DATE',
  'TIME',
  'DURATION',
  'FILE',
  'JSON',
  'YAML',
  'URI',
  'EMAIL',
  'SECRET',
  'ARRAY',
] as const;
export type InputType = (typeof INPUT_TYPES)[number];

export type Input = {
  /** May be dotted (`nested.more.int`): the value then lands in nested maps. */
  id: string;
  type: InputType;
  description?: string;
  displayName?: string;
  /** @default true in Kestra 1.x unless a default is given */
  required: boolean;
  defaults?: unknown;
  /** STRING: a regular expression the value must match. */
  validator?: string;
  /** INT/FLOAT/DURATION: bounds; DATETIME/DATE/TIME: `after`/`before`. */
  min?: number | string;
  max?: number | string;
  after?: string;
  before?: string;
  /** ENUM/SELECT/MULTISELECT: the allowed values. */
  values?: unknown[];
  /** ARRAY: the type of each item. */
  itemType?: InputType;
  /** Everything else the input declared. */
  props: Record<string, unknown>;
};

export type FlowOutput = {
  id: string;
  type: InputType;
  /** A template, rendered at the end of the execution into `execution.outputs[id]`. */
  value: unknown;
  description?: string;
  required?: boolean;
};

export type Condition = {
  type: string;
  props: Record<string, unknown>;
};

export type Trigger = {
  id: string;
  /** Canonical type, e.g. `io.kestra.plugin.core.trigger.Schedule`. */
  type: string;
  description?: string;
  disabled: boolean;
  conditions: Condition[];
  /** Type-specific properties (`cron`, `key`, `inputs`, `timezone`, ...). */
  props: Record<string, unknown>;
  position?: SourcePosition;
};

/** A flow check (Kestra's `checks[]`): evaluated before an execution is created. */
export type FlowCheck = {
  /** Pebble expression; a falsy result applies `behavior` (1.3 `condition`, 2.0 `when`). */
  when: string;
  message: string;
  style: 'ERROR' | 'SUCCESS' | 'WARNING' | 'INFO';
  behavior: 'BLOCK_EXECUTION' | 'FAIL_EXECUTION' | 'CREATE_EXECUTION';
};

export type Concurrency = {
  limit: number;
  behavior: 'QUEUE' | 'CANCEL' | 'FAIL';
};

export type Flow = {
  id: string;
  namespace: string;
  revision: number;
  description?: string;
  labels: Label[];
  inputs: Input[];
  variables: Record<string, unknown>;
  tasks: Task[];
  errors: Task[];
  finally: Task[];
  afterExecution: Task[];
  triggers: Trigger[];
  concurrency?: Concurrency;
  outputs: FlowOutput[];
  retry?: RetryPolicy;
  disabled: boolean;
  /** Accepted and kept, not enforced. */
  sla?: unknown;
  /** Pre-execution checks, in order. */
  checks?: FlowCheck[];
  /** Kestra 2.0: this revision was saved with `?draft=true` (executions without a revision skip it). */
  draft?: boolean;
  /** The `pluginDefaults` as written (already applied to `tasks`). */
  pluginDefaults: Array<{ type: string; forced: boolean; values: Record<string, unknown> }>;
};

/** One validation problem, with the YAML path (`tasks[2].retry.maxAttempts`) and its place in the source. */
export type FlowIssue = {
  path: string;
  message: string;
  line?: number;
  column?: number;
};

/** Parsing reports every problem of a flow together, not only the first (STYLE.md rule 9). */
export type ParseResult = { ok: true; flow: Flow } | { ok: false; issues: FlowIssue[] };
