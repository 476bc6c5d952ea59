import { useState } from 'preact/hooks';
import type { Client } from '../api';
import { href } from '../router';
import { TopologyView } from '../topology/topology-view';
import type { Execution, Flow, Page, TriggerState } from '../types';
import { Alert, Section, useLoad, when } from '../ui';
import { ExecutionsTable } from './executions-table';
import { RevisionsPanel } from './revisions-panel';

const TABS = ['Overview', 'Topology', 'Source', 'Executions'] as const;

/** One flow: overview (inputs, triggers with their next fire, labels), topology, source with revisions, executions. */
export function FlowPage({ api, namespace, id }: { api: Client; namespace: string; id: string }) {
  const path = `/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}`;
  const [tab, setTab] = useState<(typeof TABS)[number]>('Overview');
  const flow = useLoad(() => api.get<Flow>(`${path}?source=true`), [path]);
  const f = flow.data;
  return (
    <Section
      title={`${namespace}.${id}`}
      actions={
        <div class="row">
          <a class="button secondary" href={href('flows', namespace, id, 'edit')}>
            Edit
          </a>
          <a class="button" href={href('flows', namespace, id, 'run')}>
            Run
          </a>
        </div>
      }
    >
      <Alert error={flow.error} />
      <div class="tabs" role="tablist" aria-label="Flow views">
        {TABS.map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={tab}>
        {f && tab === 'Overview' ? <Overview api={api} flow={f} /> : null}
        {f && tab === 'Topology' ? <TopologyView flow={f} /> : null}
        {f && tab === 'Source' ? <RevisionsPanel api={api} flow={f} /> : null}
        {f && tab === 'Executions' ? <FlowExecutions api={api} flow={f} /> : null}
      </div>
    </Section>
  );
}

function Overview({ api, flow }: { api: Client; flow: Flow }) {
  const triggers = useLoad(
    () =>
      api.get<Page<TriggerState>>(
        `/triggers/${encodeURIComponent(flow.namespace)}/${encodeURIComponent(flow.id)}`,
      ),
    [flow],
  );
  const labels = Array.isArray(flow.labels)
    ? flow.labels.map((l) => `${l.key}:${l.value}`)
    : Object.entries(flow.labels ?? {}).map(([k, v]) => `${k}:${v}`);
  return (
    <div class="grid2">
      <div>
        <p>{flow.description ?? <span class="muted">No description.</span>}</p>
        <p class="muted">
          Revision {flow.revision} · updated {when(flow.updated)} {flow.disabled ? '· disabled' : ''}
        </p>
        {labels.length > 0 ? <p>Labels: {labels.join(', ')}</p> : null}
        <table>
          <caption>Inputs</caption>
          <thead>
            <tr>
              <th scope="col">Input</th>
              <th scope="col">Type</th>
              <th scope="col">Required</th>
              <th scope="col">Default</th>
            </tr>
          </thead>
          <tbody>
            {(flow.inputs ?? []).map((i) => (
              <tr key={i.id}>
                <td>{i.id}</td>
                <td>{i.type}</td>
                <td>{i.required === false ? 'no' : 'yes'}</td>
                <td>{i.defaults === undefined ? '—' : String(i.defaults)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div>
        <Alert error={triggers.error} />
        <table>
          <caption>Triggers</caption>
          <thead>
            <tr>
              <th scope="col">Trigger</th>
              <th scope="col">Type</th>
              <th scope="col">Next fire</th>
            </tr>
          </thead>
          <tbody>
            {(flow.triggers ?? []).map((t) => {
              const state = triggers.data?.results.find((s) => s.triggerId === t.id);
              return (
                <tr key={t.id}>
                  <td>{t.id}</td>
                  <td>
                    {t.type.split('.').pop()} {t.cron ? <code>{t.cron}</code> : null}
                  </td>
                  <td>{state?.disabled || t.disabled ? 'disabled' : when(state?.nextExecutionDate)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function FlowExecutions({ api, flow }: { api: Client; flow: Flow }) {
  const list = useLoad(
    () =>
      api.get<Page<Execution>>(
        `/executions/search?${new URLSearchParams({ namespace: flow.namespace, flowId: flow.id, size: '25', sort: 'state.startDate:desc' })}`,
      ),
    [flow],
    3000,
  );
  return (
    <>
      <Alert error={list.error} />
      <ExecutionsTable
        executions={list.data?.results ?? []}
        caption={`${list.data?.total ?? 0} execution(s) of this flow`}
      />
    </>
  );
}
