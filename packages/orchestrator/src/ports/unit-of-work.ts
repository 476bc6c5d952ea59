/**
 * Runs work atomically across the stores of one instance: every write made
 * through the ports inside `atomically` commits together or not at all.
 * Nested calls are nested units (a failing inner one rolls back alone, as a
 * SQLite SAVEPOINT does). Synchronous, like the stores.
 *
 * @example
 * uow.atomically(() => {
 *   executions.insert(execution);
 *   events.append(execution.id, { type: 'start', runningInFlow: 0 });
 * });
 */
export interface UnitOfWork {
  atomically<T>(work: () => T): T;
}
