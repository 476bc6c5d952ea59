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
    if (!this.o.stores.executions.update(next, version, []))
      throw new ConflictError(`Conflict: execution ${id} changed meanwhile; try again`);
    this.o.notify(next);
    return next;
  }
}
