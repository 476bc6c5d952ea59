import { isTerminal, type StateType } from '@silo/contracts';
import type { Context } from 'hono';
import { ConflictError, NotFoundError, NotImplementedError } from '../errors.js';
import { InvalidInputsError } from '../executor/engine-errors.js';
import { fileStorer } from '../executor/input-files.js';
import type { Label } from '../flow/flow-model.js';
import { resolveInputs } from '../flow/inputs/index.js';
import type { Execution } from '../model/execution.js';
import type { FlowRepository } from '../ports/flow-repository.js';
import type { Engine } from '../runner/engine.js';
import { readInputsBody } from './inputs-body.js';
import { resolveOnResume } from './resume-inputs.js';

export type ExecutionActionsDeps = {
  engine: () => Engine;
  flows: () => FlowRepository;
  dataDir: string;
};

/** How long an action that hands its event to the executor waits for the execution to change before answering. */
const CHANGE_WAIT_MS = 5000;

/**
 * What each execution action does, once for both dialects: 1.3's
 * `/executions/{id}/<action>` and 2.0's `/executions/{id}/actions/<action>`
 * call the same method and differ only in what they answer (1.3: 202/204
 * for kill/resume; 2.0: 200 and the `Execution`).
 */
export class ExecutionActions {
  constructor(private readonly deps: ExecutionActionsDeps) {}

  find(id: string): Execution {
    const e = this.deps.engine().get(id);
    if (!e) throw new NotFoundError('execution', id);
    return e;
  }

  /**
   * Sends `kill` to an unfinished execution. With `wait`, resolves to it once
   * the executor moved it (KILLING), or as it is after 5 s; without, at once.
   */
  kill(id: string, wait: boolean): Promise<Execution> {
    const e = this.find(id);
    if (isTerminal(e.state.current))
      throw new ConflictError(`Execution ${e.id} is already terminated (${e.state.current})`);
    return this.sendAndWait(e.id, { type: 'kill' }, wait);
  }

  /** Resumes a PAUSED execution with the `onResume` inputs of the request's body; `wait` as for `kill`. */
  async resume(c: Context, id: string, wait: boolean): Promise<Execution> {
    const e = this.find(id);
    if (e.state.current !== 'PAUSED')
      throw new ConflictError(`Execution ${e.id} is not paused (${e.state.current})`);
    const raw = await readInputsBody(c);
    const engine = this.deps.engine();
    const flow = engine.flow(e.namespace, e.flowId, e.flowRevision);
    const onResume = flow
      ? resolveOnResume(flow, e, raw, (tr) =>
          fileStorer(this.deps.dataDir, [
            ...e.namespace.split('.'),
            e.flowId,
            'executions',
            e.id,
            'tasks',
            tr.taskId,
            tr.id,
            'inputs',
          ]),
        )
      : {};
    return this.sendAndWait(
      e.id,
      {
        type: 'resume',
        ...(Object.keys(onResume).length > 0 ? { onResume } : {}),
      },
      wait,
    );
  }

  /** Restarts a FAILED, KILLED or WARNING execution from its failed task runs. */
  restart(id: string): Promise<Execution> {
    const e = this.find(id);
    const s = e.state.current;
    if (s !== 'FAILED' && s !== 'KILLED' && s !== 'WARNING')
      throw new ConflictError(`Execution ${e.id} cannot be restarted from state ${s}`);
    return this.sendAndWait(e.id, { type: 'restart' }, true);
  }

  /** A new execution replaying `id`, from `taskRunId` when given. */
  replay(id: string, taskRunId: string | undefined): Execution {
    const e = this.find(id);
    if (taskRunId && !e.taskRunList.some((t) => t.id === taskRunId))
      throw new NotFoundError('task run', taskRunId);
    return this.deps.engine().replay(e, taskRunId);
  }

  /** A replay of a terminated execution with new inputs (multipart or JSON, as create takes them). */
  async replayWithInputs(c: Context, id: string, taskRunId: string | undefined): Promise<Execution> {
    const e = this.find(id);
    if (!isTerminal(e.state.current))
      throw new ConflictError(`Conflict: execution ${e.id} is not terminated (${e.state.current})`);
    if (taskRunId && !e.taskRunList.some((t) => t.id === taskRunId))
      throw new NotFoundError('task run', taskRunId);
    const raw = await readInputsBody(c);
    const flow = this.flowOf(e).flow;
    const engine = this.deps.engine();
    const folder = [...e.namespace.split('.'), e.flowId, 'executions', e.id, 'replay-inputs'];
    const resolved = resolveInputs(flow.inputs, raw, {
      now: engine.clock.now(),
      storeFile: fileStorer(this.deps.dataDir, folder),
    });
    if (!resolved.ok) throw new InvalidInputsError(resolved.issues);
    return engine.replay({ ...e, inputs: resolved.values }, taskRunId);
  }

  setLabels(id: string, labels: Label[]): Execution {
    return this.deps.engine().admin.setLabels(id, labels);
  }

  changeStatus(id: string, status: StateType): Execution {
    return this.deps.engine().admin.changeStatus(id, status);
  }

  /** 409 unless RUNNING; a RUNNING one is a 501: the executor has no execution-level pause. */
  pause(id: string): never {
    const e = this.find(id);
    if (e.state.current !== 'RUNNING')
      throw new ConflictError(`Conflict: execution ${e.id} is not running (${e.state.current})`);
    throw new NotImplementedError(
      'Not Implemented: pausing a running execution from the API is not supported by this instance; add a Pause task to the flow, or kill the execution',
    );
  }

  /** 409 unless CREATED or QUEUED; a waiting one is a 501: starting past the concurrency limits needs the executor. */
  forceRun(id: string): never {
    const e = this.find(id);
    if (e.state.current !== 'CREATED' && e.state.current !== 'QUEUED')
      throw new ConflictError(`Conflict: execution ${e.id} cannot be force-run (${e.state.current})`);
    throw new NotImplementedError(
      'Not Implemented: forcing a waiting execution past the concurrency limits is not supported by this instance; raise the limit or kill the execution',
    );
  }

  /** 409 unless QUEUED; a QUEUED one is a 501: moving it out of the queue needs the executor. */
  unqueue(id: string, _state: StateType): never {
    const e = this.find(id);
    if (e.state.current !== 'QUEUED')
      throw new ConflictError(`Conflict: execution ${e.id} is not queued (${e.state.current})`);
    throw new NotImplementedError(
      'Not Implemented: moving a queued execution out of the queue is not supported by this instance; kill it instead',
    );
  }

  /** The flow revision an execution ran. */
  flowOf(e: Execution) {
    const record = this.deps
      .flows()
      .get(e.namespace, e.flowId, { revision: e.flowRevision, allowDeleted: true });
    if (!record) throw new NotFoundError('flow', `${e.namespace}.${e.flowId} revision ${e.flowRevision}`);
    return record;
  }

  /** Stores `event`; with `wait`, resolves to the execution after its next change (or as it is after 5 s). */
  private sendAndWait(id: string, event: Parameters<Engine['send']>[1], wait: boolean): Promise<Execution> {
    const engine = this.deps.engine();
    if (!wait) {
      engine.send(id, event);
      return Promise.resolve(engine.get(id)!);
    }
    const changed = new Promise<Execution>((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(engine.get(id)!);
      }, CHANGE_WAIT_MS);
      timer.unref();
      const off = engine.subscribe(id, (x) => {
        clearTimeout(timer);
        off();
        resolve(x);
      });
    });
    engine.send(id, event);
    return changed;
  }
}
