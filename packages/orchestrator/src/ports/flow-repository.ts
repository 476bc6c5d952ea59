import type { Flow } from '../flow/flow-model.js';

/** One stored revision of a flow. */
export type FlowRecord = {
  namespace: string;
  id: string;
  revision: number;
  /** The YAML exactly as it was sent, comments included. */
  source: string;
  /** The normalised flow (its `revision` is the stored one). */
  flow: Flow;
  deleted: boolean;
  /** When this revision was saved (ISO-8601). */
  updated: string;
};

export type FlowSortField = 'id' | 'namespace' | 'revision' | 'updated';

export type FlowSearchQuery = {
  /** 1-based. @default 1 */
  page?: number;
  /** @default 10 */
  size?: number;
  sort?: Array<{ field: FlowSortField; order: 'asc' | 'desc' }>;
  /** This namespace and the ones below it (`company` matches `company.team`). */
  namespace?: string;
  /** Exactly this namespace. */
  namespaceEquals?: string;
  /** Case-insensitive text found in the id, the namespace or the description. */
  q?: string;
  /** Case-insensitive text found in the source (`GET /flows/source`). */
  sourceContains?: string;
};

/** `create` of a flow whose current revision exists and is not deleted. */
export class FlowExistsError extends Error {
  override readonly name = 'FlowExistsError';
  readonly code = 'FLOW_EXISTS';
  constructor(
    readonly namespace: string,
    readonly id: string,
  ) {
    super(`flow ${namespace}.${id} already exists`);
  }
}

/**
 * Where flows are kept, with every revision. Synchronous: the SQLite adapter
 * is, and callers can use it inside their own transactions.
 *
 * @example
 * const saved = repo.create(source, flow, new Date());
 * repo.update(newSource, newFlow, new Date()); // { record: {revision: 2}, changed: true }
 * repo.get('company.team', 'hello', { revision: 1 })?.source;
 */
export interface FlowRepository {
  /** Saves revision 1 (or the next one after a deleted flow). Throws `FlowExistsError` if a live flow has this id. */
  create(source: string, flow: Flow, now: Date): FlowRecord;
  /** A new revision when `source` differs from the current one; else the current record, `changed: false`. `undefined` if no live flow. */
  update(source: string, flow: Flow, now: Date): { record: FlowRecord; changed: boolean } | undefined;
  /** The current revision (or the given one); deleted flows only with `allowDeleted`. */
  get(
    namespace: string,
    id: string,
    options?: { revision?: number; allowDeleted?: boolean },
  ): FlowRecord | undefined;
  /** Every revision, oldest first. */
  revisions(namespace: string, id: string): FlowRecord[];
  /** Soft delete; false when there was no live flow. */
  delete(namespace: string, id: string, now: Date): boolean;
  /** Live flows of exactly this namespace, by id. */
  listByNamespace(namespace: string): FlowRecord[];
  /** Live flows, paged. */
  search(query: FlowSearchQuery): { results: FlowRecord[]; total: number };
  /** Namespaces holding live flows, sorted; optionally only those containing `q`. */
  namespaces(q?: string): string[];
  /** Every live flow's current revision (for the scheduler's triggers). */
  listAll(): FlowRecord[];
}
