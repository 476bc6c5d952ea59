import type { Execution } from '../model/execution.js';

export type ExecutionSearch = {
  page: number;
  size: number;
  sort?: string[];
  namespace?: string;
  flowId?: string;
  states?: string[];
  labels?: Array<{ key: string; value: string }>;
  startDate?: string;
  endDate?: string;
  /** Case-insensitive substring of the id, namespace or flow id. */
  q?: string;
  /** Kestra filter operations on namespace, flow id and state (all must hold). */
  where?: ExecutionCondition[];
  /** Labels the execution must not have (`filters[labels][NOT_EQUALS][k]=v`). */
  notLabels?: Array<{ key: string; value: string }>;
  /**
   * Kestra 2.0 filter groups (`filters[or][0][state][EQUALS]=RUNNING`): each
   * group must hold; inside one, its children (themselves filters, groups
   * allowed) are joined by `logical`.
   */
  groups?: ExecutionFilterGroup[];
};

/** The filtering part of an `ExecutionSearch` (no paging, no order): one child of a group. */
export type ExecutionFilter = Omit<ExecutionSearch, 'page' | 'size' | 'sort'>;
export type ExecutionFilterGroup = { logical: 'and' | 'or'; children: ExecutionFilter[] };

/** One `filters[field][OP]` condition, values already split (`IN` takes several). */
export type ExecutionCondition = {
  field: 'namespace' | 'flowId' | 'state';
  op: 'EQUALS' | 'NOT_EQUALS' | 'IN' | 'NOT_IN' | 'PREFIX' | 'STARTS_WITH' | 'ENDS_WITH' | 'CONTAINS';
  values: string[];
};

/**
 * Where executions and their task runs are kept. Writes are guarded by a
 * version: `update` returns false when another writer won (an ordinary
 * outcome, STYLE.md rule 6). Synchronous, usable inside a `UnitOfWork`.
 *
 * @example
 * executions.insert(execution);
 * const found = executions.get(execution.id); // { execution, version: 1 }
 * executions.update(next, found!.version); // true
 */
export interface ExecutionStore {
  /** Inserts a new execution (version 1). */
  insert(execution: Execution): void;
  /** Guarded write at `version` (its task runs are part of it). */
  update(execution: Execution, version: number): boolean;
  /** The execution and its version, or undefined. */
  get(id: string): { execution: Execution; version: number } | undefined;
  /** Executions of the flow holding a concurrency slot (RUNNING, PAUSED, RESTARTED, KILLING), except `exceptId`. */
  countActiveInFlow(namespace: string, flowId: string, exceptId: string): number;
  /** The oldest QUEUED execution's id of the flow. */
  oldestQueued(namespace: string, flowId: string): string | undefined;
  /** Top-level executions (no Subflow parent) holding a slot, as `countActiveInFlow`, in the whole instance, except `exceptId`. */
  countActiveTopLevel(exceptId: string): number;
  /** Up to `limit` QUEUED executions' ids of the whole instance, oldest first. */
  oldestQueuedAll(limit: number): string[];
  /** QUEUED executions of the whole instance. */
  countQueued(): number;
  /** Executions not yet settled. */
  countUnsettled(): number;
  /**
   * One page of executions and the total. Namespace matches as a prefix (as
   * Kestra), labels must all match; sort fields: `state.startDate`/`startDate`,
   * `state.endDate`/`endDate`, `state.current`/`state`, `id`, `flowId`, `namespace`.
   * Default order: newest start first.
   */
  search(query: ExecutionSearch): { results: Execution[]; total: number };
  /** Deletes the execution and its task runs (the API's `DELETE /executions/{id}`, PurgeExecutions); false when absent. */
  delete(id: string): boolean;
}
