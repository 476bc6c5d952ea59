import { useState } from 'preact/hooks';
import type { Client } from '../api';
import type { Execution, Page } from '../types';
import { Alert, Section, useLoad } from '../ui';
import { ExecutionsTable } from './executions-table';

const STATES = [
  'CREATED',
  'RUNNING',
  'PAUSED',
  'SUCCESS',
  'WARNING',
  'FAILED',
  'KILLING',
  'KILLED',
  'RESTARTED',
  'QUEUED',
];
const RANGES: [string, string][] = [
  ['', 'Any time'],
  ['PT15M', 'Last 15 minutes'],
  ['PT1H', 'Last hour'],
  ['PT24H', 'Last 24 hours'],
  ['PT168H', 'Last 7 days'],
];

/** Executions with filters (state, namespace, flow, labels, time range), refreshed every 2 s. */
export function ExecutionsPage({ api }: { api: Client }) {
  const [state, setState] = useState('');
  const [namespace, setNamespace] = useState('');
  const [flowId, setFlowId] = useState('');
  const [labels, setLabels] = useState('');
  const [range, setRange] = useState('');
  const list = useLoad(
    () => {
      const p = new URLSearchParams({ size: '50', sort: 'state.startDate:desc' });
      if (state) p.set('state', state);
      if (namespace.trim()) p.set('namespace', namespace.trim());
      if (flowId.trim()) p.set('flowId', flowId.trim());
      for (const l of labels.split(/[\s,]+/).filter((x) => x !== '')) p.append('labels', l);
      if (range) p.set('timeRange', range);
      return api.get<Page<Execution>>(`/executions/search?${p}`);
    },
    [state, namespace, flowId, labels, range],
    2000,
  );
  return (
    <Section title="Executions">
      <search class="row" aria-label="Filter executions">
        <label>
          State
          <select value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="">Any state</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Namespace
          <input value={namespace} onInput={(e) => setNamespace(e.currentTarget.value)} />
        </label>
        <label>
          Flow
          <input value={flowId} onInput={(e) => setFlowId(e.currentTarget.value)} />
        </label>
        <label>
          Labels (key:value)
          <input value={labels} onInput={(e) => setLabels(e.currentTarget.value)} />
        </label>
        <label>
          Time range
          <select value={range} onChange={(e) => setRange(e.currentTarget.value)}>
            {RANGES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
      </search>
      <Alert error={list.error} />
      <ExecutionsTable
        executions={list.data?.results ?? []}
        caption={list.data ? `${list.data.total} execution(s)` : 'Loading…'}
      />
    </Section>
  );
}
