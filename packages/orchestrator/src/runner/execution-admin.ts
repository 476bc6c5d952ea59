import type { StateType } from '@silo/contracts';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import type { Label } from '../flow/flow-model.js';
import { type Execution, isSettled } from '../model/execution.js';
import { mergeLabels } from '../model/labels.js';
import { appendState } from '../model/state.js';
import type { Clock } from '../ports/clock.js';
import type { EngineStores } from '../ports/engine-stores.js';
import { InternalStorage } from '../storage/internal-storage.js';

/** The states an ended execution may be set to by hand (Kestra `updateExecutionStatus`). */
export const SETTABLE_STATES: readonly StateType[] = ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED'];

/** Kestra refuses labels whose key starts with `system.` from the API (they are set by the engine). */
const SYSTEM_PREFIX = 'system.';

export type DeleteOptions = { deleteLogs: boolean; deleteStorage: boolean };

/** What `execution.PurgeExecutions` selects and removes (Kestra's `ExecutionService.purge`). */
export type PurgeQuery = {
  /** A namespace prefix, or the flow's exact namespace when `flowId` is set. */
  namespace?: string | undefined;
  flowId?: string | undefined;
  /** ISO-8601 bounds on the execution's start (inclusive). */
  startDate?: string | undefined;
  endDate: string;
  states?: string[] | undefined;
  purgeExecution: boolean;
  purgeLog: boolean;
  purgeMetric: boolean;
  purgeStorage: boolean;
  /** Executions selected per read. @default 100 */
  batchSize?: number;
};
export type PurgeCounts = {
  executionsCount: number;
  logsCount: number;
  storagesCount: number;
  metricsCount: number;
  taskOutputsCount: number;
};
/** Bound on the executions one purge reads. */
const PURGE_MAX = 100_000;

/**
 * What the API does to executions outside the executor's loop: delete one
 * (with its logs and files), set its labels, change the state of an ended
 * one. Each write is one transaction, guarded by the execution's version;
 * only settled executions (terminal, afterExecution done) are touched, so
 * the executor never sees one change under it.
 *
 * @example
 * admin.delete(id, { deleteLogs: true, deleteStorage: true });
 */
export class ExecutionAdmin {
  constructor(
    private readonly o: {
      stores: EngineStores;
      dataDir: string;
      clock: Clock;
      /** Tells followers and `wait=true` callers about a committed change. */
      notify: (execution: Execution) => void;
    },
  ) {}

  /** The settled execution, or 404 / 409 naming why not. */
  private settled(id: string): { execution: Execution; version: number } {
    const found = this.o.stores.executions.get(id);
    if (!found) throw new NotFoundError('execution', id);
    if (!isSettled(found.execution))
      throw new ConflictError(
        `Conflict: execution ${id} is not terminated (${found.execution.state.current}); kill it first`,
      );
    return found;
  }

  /** Deletes a settled execution, and its logs and files unless told to keep them (Kestra's defaults: delete). */
  delete(id: string, options: DeleteOptions): void {
    const { execution } = this.settled(id);
    const { unitOfWork, executions, logs } = this.o.stores;
    unitOfWork.atomically(() => {
      executions.delete(id);
      if (options.deleteLogs) logs.deleteByExecution(id);
    });
    if (options.deleteStorage)
      new InternalStorage(this.o.dataDir).remove([
        ...execution.namespace.split('.'),
        execution.flowId,
        'executions',
        id,
      ]);
  }

  /**
   * `execution.PurgeExecutions`: for each settled execution that `q`
   * selects, removes what the flags say (its row, its logs, its files;
   * Silo keeps no metrics, so `metricsCount` is 0). Running executions,
   * the purging one included, are left alone.
   */
  purge(q: PurgeQuery): PurgeCounts {
    const { unitOfWork, executions, logs } = this.o.stores;
    const counts: PurgeCounts = {
      executionsCount: 0,
      logsCount: 0,
      storagesCount: 0,
      metricsCount: 0,
      taskOutputsCount: 0,
    };
    const selected: Execution[] = [];
    const size = q.batchSize ?? 100;
    for (let page = 1; selected.length < PURGE_MAX && page <= PURGE_MAX; page++) {
      const { results } = executions.search({
        page,
        size,
        sort: ['state.startDate:asc'],
        ...(q.flowId === undefined
          ? q.namespace !== undefined && { namespace: q.namespace }
          : {
              flowId: q.flowId,
              ...(q.namespace !== undefined && {
                where: [{ field: 'namespace' as const, op: 'EQUALS' as const, values: [q.namespace] }],
              }),
            }),
        ...(q.states !== undefined && { states: q.states }),
        ...(q.startDate !== undefined && { startDate: q.startDate }),
        endDate: q.endDate,
      });
      selected.push(...results.filter(isSettled));
      if (results.length < size) break;
    }
    const storage = new InternalStorage(this.o.dataDir);
    for (const e of selected) {
      unitOfWork.atomically(() => {
        if (q.purgeLog) counts.logsCount += logs.deleteByExecution(e.id);
        if (q.purgeExecution && executions.delete(e.id)) counts.executionsCount++;
      });
      if (q.purgeStorage) {
        const folder = [...e.namespace.split('.'), e.flowId, 'executions', e.id];
        const files = storage.countFiles(folder);
        storage.remove(folder);
        counts.storagesCount += files;
      }
    }
    return counts;
  }

  /** Adds labels to a settled execution (a label of the same key is replaced); `system.` keys are refused. */
  setLabels(id: string, labels: Label[]): Execution {
    for (const [i, l] of labels.entries())
      if (l.key.startsWith(SYSTEM_PREFIX))
        throw new BadRequestError(`Bad Request: label ${l.key} is a system label and cannot be set`, [
          { message: 'system labels cannot be set', path: `labels[${i}].key` },
        ]);
    return this.write(id, (e) => ({ ...e, labels: mergeLabels(e.labels, labels) }));
  }

  /** Moves a settled execution to another end state (`SETTABLE_STATES`), recorded in its history. */
  changeStatus(id: string, status: StateType): Execution {
    if (!SETTABLE_STATES.includes(status))
      throw new BadRequestError(
        `Bad Request: status must be one of ${SETTABLE_STATES.join(', ')}, got '${status}'`,
        [{ message: `must be one of ${SETTABLE_STATES.join(', ')}`, path: 'status' }],
      );
    return this.write(id, (e) => {
      if (e.state.current === status)
        throw new ConflictError(`Conflict: execution ${id} is already ${status}`);
      return { ...e, state: appendState(e.state, status, this.o.clock.now()) };
    });
  }

  private write(id: string, change: (e: Execution) => Execution): Execution {
    const { execution, version } = this.settled(id);
    const next = change(execution);
    if (!this.o.stores.executions.update(next, version))
      throw new ConflictError(`Conflict: execution ${id} changed meanwhile; try again`);
    this.o.notify(next);
    return next;
  }
}
