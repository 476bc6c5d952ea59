import { type Execution, isSettled } from '../model/execution.js';

type Listener = (execution: Execution) => void;

/**
 * Change notifications of executions, in process: `wait=true` and SSE
 * follow subscribe; the runner notifies after each committed decision.
 *
 * @example
 * const off = listeners.subscribe(id, (e) => console.log(e.state.current));
 * listeners.notify(execution); off();
 */
export class ExecutionListeners {
  private readonly byId = new Map<string, Set<Listener>>();

  /** Calls `listener` on every committed change of the execution; returns the unsubscribe. */
  subscribe(executionId: string, listener: Listener): () => void {
    let set = this.byId.get(executionId);
    if (!set) {
      set = new Set();
      this.byId.set(executionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byId.delete(executionId);
    };
  }

  notify(execution: Execution): void {
    const set = this.byId.get(execution.id);
    if (!set) return;
    for (const l of [...set]) l(execution);
  }

  /**
   * Resolves when the execution is settled (terminal, afterExecution done), or at `timeoutMs` with
   * its latest state; `known`: its latest committed state, when the caller holds it (not read).
   */
  waitSettled(
    executionId: string,
    get: (id: string) => Execution | undefined,
    timeoutMs: number,
    known?: Execution,
  ): Promise<Execution | undefined> {
    const current = known ?? get(executionId);
    if (!current || isSettled(current)) return Promise.resolve(current);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(get(executionId));
      }, timeoutMs);
      const off = this.subscribe(executionId, (e) => {
        if (isSettled(e)) {
          clearTimeout(timer);
          off();
          resolve(e);
        }
      });
    });
  }
}
