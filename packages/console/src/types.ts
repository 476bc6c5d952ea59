// The wire shapes the console reads from the orchestrator and admin APIs. A local copy on
// purpose: the shared types are moving into @silo/contracts (issue 11); switch to them then.

export type StateHistory = { state: string; date: string };
export type StateBlock = {
  current: string;
  histories?: StateHistory[];
  startDate?: string;
  endDate?: string;
  duration?: string | number;
};

export type FlowInput = {
  id: string;
  type: string;
  description?: string;
  required?: boolean;
  defaults?: unknown;
  values?: string[];
  itemType?: string;
};

/** A task as written in the flow (only what the console draws). */
export type Task = {
  id: string;
  type: string;
  tasks?: Task[];
  errors?: Task[];
  finally?: Task[];
  then?: Task[];
  else?: Task[];
  cases?: Record<string, Task[]>;
  defaults?: Task[];
  [key: string]: unknown;
};

export type Trigger = { id: string; type: string; cron?: string; disabled?: boolean; [key: string]: unknown };

export type Flow = {
  id: string;
  namespace: string;
  revision: number;
  description?: string;
  inputs?: FlowInput[];
  tasks?: Task[];
  errors?: Task[];
  finally?: Task[];
  triggers?: Trigger[];
  labels?: { key: string; value: string }[] | Record<string, string>;
  disabled?: boolean;
  deleted?: boolean;
  source?: string;
  updated?: string;
};

export type Attempt = { state: StateBlock };
export type TaskRun = {
  id: string;
  taskId: string;
  parentTaskRunId?: string | null;
  value?: string | null;
  state: StateBlock;
  attempts?: Attempt[] | null;
  outputs?: Record<string, unknown> | null;
};

export type Execution = {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: StateBlock;
  taskRunList?: TaskRun[] | null;
  inputs?: Record<string, unknown> | null;
  outputs?: Record<string, unknown> | null;
  labels?: { key: string; value: string }[] | null;
};

export type LogEntry = {
  taskId?: string | null;
  taskRunId?: string | null;
  attemptNumber?: number | null;
  timestamp: string;
  level: string;
  message: string;
};

export type Page<T> = { results: T[]; total: number };

export type TriggerState = {
  triggerId?: string;
  id?: string;
  nextExecutionDate?: string | null;
  disabled?: boolean;
  [key: string]: unknown;
};

export type KvEntry = {
  key: string;
  version?: number;
  description?: string | null;
  updateDate?: string;
  expirationDate?: string | null;
};
export type KvValue = { type: string; value: unknown; revision?: number; updated?: string };

export type InstanceView = {
  /** stopped, starting, running, paused (frozen: resumed in milliseconds by a request), draining, failing. */
  state: string;
  startedAt: string | null;
  lastActivityAt: string | null;
  coldStarts: number;
  nextWakeAt: string | null;
  nextWakeReason?: string | null;
  lastError: string | null;
};

export type TenantView = {
  id: string;
  name: string;
  state: 'active' | 'suspended';
  suspendedReason: string | null;
  limits: Record<string, number | undefined>;
  createdAt: string;
  instance: InstanceView;
};

export type ApiKeyView = {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

export type GatewayStatus = {
  status: string;
  runtime: string;
  runtimeReason: string;
  startedAt: string;
  tenants: number;
  instances: Record<string, number>;
};

export type MetricsSummary = {
  at: string;
  runningInstances: number;
  pausedInstances?: number;
  heldRequests: number;
  coldStart: { buckets: { le: number; count: number }[]; count: number; sumSeconds: number };
  coldStartsByTenant: Record<string, number>;
  proxied: Record<string, { total: number; errors: number }>;
};
