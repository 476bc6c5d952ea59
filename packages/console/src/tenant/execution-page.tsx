import { useEffect, useState } from 'preact/hooks';
import type { Client } from '../api';
import { href } from '../router';
import { followSse } from '../sse';
import { TopologyView } from '../topology/topology-view';
import type { Execution, Flow } from '../types';
import { Alert, durationMs, Section, StateBadge, useAction, useLoad, when } from '../ui';
import { carriesOutputs, loadTaskOutputs, withTaskOutputs } from './dialect';
import { FilesList } from './files-list';
import { Gantt, isTerminal, span } from './gantt';
import { LogsPanel } from './logs-panel';
import { ResumeForm } from './resume-form';

/** Follows an execution live: the first state, then every change, until it ends (or `generation` changes). */
function useLiveExecution(api: Client, id: string, generation: number) {
  const [execution, setExecution] = useState<Execution | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    const ac = new AbortController();
    setError(undefined);
    const url = `${api.base}/executions/${encodeURIComponent(id)}/follow`;
    followSse(url, api.headers(), (e) => setExecution(JSON.parse(e.data) as Execution), ac.signal)
      // The stream ends when the execution settles: read the final state once more.
      .then(() =>
        ac.signal.aborted ? undefined : api.get<Execution>(`/executions/${encodeURIComponent(id)}`),
      )
      .then((last) => last && setExecution(last))
      .catch(setError);
    return () => ac.abort();
  }, [api, id, generation]);
  return { execution, error };
}

/** One execution: overview, actions, Gantt, topology coloured by state, logs, inputs, outputs, labels. */
export function ExecutionPage({ api, id }: { api: Client; id: string }) {
  const [generation, setGeneration] = useState(0);
  const { execution: live, error } = useLiveExecution(api, id, generation);
  // A 2.0 execution body carries no task-run outputs: read them from /outputs (served on both
  // dialects) whenever a task run changes state, and put them back on the task runs.
  const runStates = (live?.taskRunList ?? []).map((tr) => `${tr.id}:${tr.state.current}`).join(',');
  const loadOutputs = live !== undefined && !carriesOutputs(live) && runStates !== '';
  const taskOutputs = useLoad(
    () => (loadOutputs ? loadTaskOutputs(api, id) : Promise.resolve(undefined)),
    [api, id, loadOutputs, runStates, live?.state.current],
  );
  const e = live && withTaskOutputs(live, taskOutputs.data);
  const flow = useLoad(
    () =>
      e
        ? api.get<Flow>(
            `/flows/${encodeURIComponent(e.namespace)}/${encodeURIComponent(e.flowId)}?revision=${e.flowRevision}`,
          )
        : Promise.resolve(undefined),
    [e?.namespace, e?.flowId, e?.flowRevision],
  );
  const action = useAction();
  const [notice, setNotice] = useState('');
  const act = (label: string, method: string, path: string) =>
    action.run(async () => {
      const out = await api.request<Execution | undefined>(method, path);
      setNotice(label);
      if (out && typeof out === 'object' && 'id' in out && out.id !== id)
        window.location.hash = href('executions', out.id);
      else setGeneration((g) => g + 1);
    });
  if (error && !e) return <Alert error={error} />;
  if (!e) return <p class="muted">Loading…</p>;
  const state = e.state.current;
  const base = `/executions/${encodeURIComponent(e.id)}`;
  const states: Record<string, string> = {};
  for (const tr of e.taskRunList ?? []) states[tr.taskId] = tr.state.current;
  const s = span(e.state, Date.now());
  return (
    <>
      <Section
        title={`Execution ${e.id}`}
        actions={
          <div class="row">
            {!isTerminal(state) ? (
              <button
                type="button"
                class="danger"
                disabled={action.busy}
                onClick={() => act('Kill requested', 'DELETE', `${base}/actions/kill`)}
              >
                Kill
              </button>
            ) : null}
            {state === 'FAILED' || state === 'KILLED' || state === 'WARNING' ? (
              <button
                type="button"
                disabled={action.busy}
                onClick={() => act('Restarted', 'POST', `${base}/actions/restart`)}
              >
                Restart
              </button>
            ) : null}
            {isTerminal(state) ? (
              <button
                type="button"
                class="secondary"
                disabled={action.busy}
                onClick={() => act('Replayed', 'POST', `${base}/actions/replay`)}
              >
                Replay
              </button>
            ) : null}
          </div>
        }
      >
        <p>
          <span role="status" aria-label="Execution state">
            <StateBadge state={state} />
          </span>{' '}
          <a href={href('flows', e.namespace, e.flowId)}>
            {e.namespace}.{e.flowId}
          </a>{' '}
          <span class="muted">
            revision {e.flowRevision} · started {when(e.state.startDate)} · {durationMs(s.end - s.start)}
          </span>
        </p>
        {(e.labels ?? []).length > 0 ? (
          <p>Labels: {(e.labels ?? []).map((l) => `${l.key}:${l.value}`).join(', ')}</p>
        ) : null}
        <Alert error={action.error ?? error ?? taskOutputs.error} />
        {notice ? <p class="muted">{notice}</p> : null}
        {state === 'PAUSED' && flow.data ? (
          <ResumeForm
            api={api}
            execution={e}
            flow={flow.data}
            onResumed={() => setGeneration((g) => g + 1)}
          />
        ) : null}
      </Section>
      <Section title="Gantt">
        <Gantt execution={e} />
      </Section>
      <Section title="Topology">
        {flow.data ? <TopologyView flow={flow.data} states={states} /> : <Alert error={flow.error} />}
      </Section>
      <Section title="Logs">
        <LogsPanel api={api} executionId={e.id} generation={generation} />
      </Section>
      <div class="grid2">
        <Section title="Inputs">
          <pre>{JSON.stringify(e.inputs ?? {}, null, 2)}</pre>
          <FilesList api={api} executionId={e.id} value={e.inputs} />
        </Section>
        <Section title="Outputs">
          <Outputs execution={e} />
          <FilesList
            api={api}
            executionId={e.id}
            value={[e.outputs, (e.taskRunList ?? []).map((tr) => tr.outputs)]}
          />
        </Section>
      </div>
    </>
  );
}

/** Task outputs by task run; `kestra://` values are files stored in the instance. */
function Outputs({ execution }: { execution: Execution }) {
  const runs = (execution.taskRunList ?? []).filter((tr) => tr.outputs && Object.keys(tr.outputs).length > 0);
  if (runs.length === 0 && !execution.outputs) return <p class="muted">No outputs.</p>;
  return (
    <>
      {execution.outputs ? <pre>{JSON.stringify(execution.outputs, null, 2)}</pre> : null}
      {runs.map((tr) => (
        <div key={tr.id}>
          <h3>{tr.taskId}</h3>
          <pre>{JSON.stringify(tr.outputs, null, 2)}</pre>
        </div>
      ))}
    </>
  );
}
