import { useState } from 'preact/hooks';
import type { Client } from '../api';
import { href } from '../router';
import type { Flow, Page } from '../types';
import { Alert, Section, useLoad } from '../ui';

/** Flows: search by text, filter by namespace, open or create one. */
export function FlowsPage({ api }: { api: Client }) {
  const [q, setQ] = useState('');
  const [namespace, setNamespace] = useState('');
  const namespaces = useLoad(() => api.get<string[]>('/flows/distinct-namespaces'), []);
  const flows = useLoad(() => {
    const p = new URLSearchParams({ size: '100', sort: 'id:asc' });
    if (q.trim()) p.set('q', q.trim());
    if (namespace) p.set('namespace', namespace);
    return api.get<Page<Flow>>(`/flows/search?${p}`);
  }, [q, namespace]);
  return (
    <Section
      title="Flows"
      actions={
        <a href={href('new')} class="button">
          New flow
        </a>
      }
    >
      <search class="row" aria-label="Filter flows">
        <label>
          Search flows
          <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <label>
          Namespace
          <select value={namespace} onChange={(e) => setNamespace(e.currentTarget.value)}>
            <option value="">All namespaces</option>
            {(namespaces.data ?? []).map((ns) => (
              <option key={ns} value={ns}>
                {ns}
              </option>
            ))}
          </select>
        </label>
      </search>
      <Alert error={flows.error} />
      <table>
        <caption>{flows.data ? `${flows.data.total} flow(s)` : 'Loading…'}</caption>
        <thead>
          <tr>
            <th scope="col">Flow</th>
            <th scope="col">Namespace</th>
            <th scope="col">Revision</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {(flows.data?.results ?? []).map((f) => (
            <tr key={`${f.namespace}.${f.id}`}>
              <td>
                <a href={href('flows', f.namespace, f.id)}>{f.id}</a>
                {f.disabled ? <span class="muted"> (disabled)</span> : null}
              </td>
              <td>{f.namespace}</td>
              <td>{f.revision}</td>
              <td class="muted">{f.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
