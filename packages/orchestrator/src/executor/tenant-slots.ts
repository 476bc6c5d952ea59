import type { Flow } from '../flow/flow-model.js';
import type { EngineStores } from '../ports/engine-stores.js';

/** QUEUED executions looked at per release (bounded: a flow-blocked head must not hide the rest). */
const CANDIDATES = 100;

/**
 * The tenant-level `QUEUE` of `maxConcurrentExecutions` (SILO_MAX_CONCURRENT_EXECUTIONS),
 * the same mechanism as a flow's `concurrency` at the scale of the instance:
 * `decide` keeps an execution QUEUED while `slots()` says the cap is reached,
 * and `release` (called in the transaction of an execution's end, and at
 * start, so queued work survives a restart or a raised cap) appends a `start`
 * for as many of the oldest QUEUED executions as there are free slots,
 * skipping those whose own flow's `concurrency` is full (they wait for their
 * flow's release instead).
 *
 * @example
 * const slots = new TenantSlots(stores, flowOf, 4);
 * events.append(id, { type: 'start', runningInFlow, tenantSlots: slots.slots(id) });
 */
export class TenantSlots {
  constructor(
    private readonly stores: Pick<EngineStores, 'executions' | 'events'>,
    private readonly flowOf: (namespace: string, id: string, revision: number) => Flow | undefined,
    readonly limit: number,
  ) {}

  /** The `tenantSlots` of a `start` event for `executionId`. */
  slots(executionId: string): { running: number; limit: number } {
    return { running: this.stores.executions.countActiveTopLevel(executionId), limit: this.limit };
  }

  /** Appends `start` events for the oldest startable QUEUED executions, up to the free slots. Call inside a transaction. */
  release(): number {
    const { executions, events } = this.stores;
    let free = this.limit - executions.countActiveTopLevel('');
    let started = 0;
    if (free <= 0) return 0;
    for (const id of executions.oldestQueuedAll(CANDIDATES)) {
      const found = executions.get(id);
      if (!found) continue;
      const e = found.execution;
      const flow = this.flowOf(e.namespace, e.flowId, e.flowRevision);
      const c = flow?.concurrency;
      if (c && executions.countActiveInFlow(e.namespace, e.flowId, e.id) >= c.limit) continue;
      events.append(id, { type: 'start', runningInFlow: 0 });
      started++;
      // A Subflow child takes no slot: it does not use one up.
      if (e.parentId === undefined && --free <= 0) break;
    }
    return started;
  }
}
