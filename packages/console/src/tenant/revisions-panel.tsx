import { diffLines } from 'diff';
import { useState } from 'preact/hooks';
import type { Client } from '../api';
import type { Flow } from '../types';
import { Alert, useLoad } from '../ui';

/** The flow's YAML, its revisions, and the line diff between any two of them. */
export function RevisionsPanel({ api, flow }: { api: Client; flow: Flow }) {
  const revisions = useLoad(
    () =>
      api.get<Flow[]>(
        `/flows/${encodeURIComponent(flow.namespace)}/${encodeURIComponent(flow.id)}/revisions`,
      ),
    [flow],
  );
  const [left, setLeft] = useState(Math.max(1, flow.revision - 1));
  const [right, setRight] = useState(flow.revision);
  const list = revisions.data ?? [];
  const source = (rev: number) => list.find((r) => r.revision === rev)?.source ?? '';
  const options = list.map((r) => (
    <option key={r.revision} value={r.revision}>
      Revision {r.revision}
    </option>
  ));
  return (
    <div>
      <Alert error={revisions.error} />
      <h3>Source (revision {flow.revision})</h3>
      <pre>{flow.source}</pre>
      {list.length > 1 ? (
        <>
          <h3>Compare revisions</h3>
          <div class="row">
            <label>
              From
              <select value={left} onChange={(e) => setLeft(Number(e.currentTarget.value))}>
                {options}
              </select>
            </label>
            <label>
              To
              <select value={right} onChange={(e) => setRight(Number(e.currentTarget.value))}>
                {options}
              </select>
            </label>
          </div>
          <section class="diff" aria-label={`Diff from revision ${left} to ${right}`}>
            {diffLines(source(left), source(right)).flatMap((part, i) =>
              part.value
                .replace(/\n$/, '')
                .split('\n')
                .map((line, j) => (
                  <div key={`${i}-${j}`} class={part.added ? 'add' : part.removed ? 'del' : ''}>
                    {part.added ? '+ ' : part.removed ? '- ' : '  '}
                    {line}
                  </div>
                )),
            )}
          </section>
        </>
      ) : (
        <p class="muted">Only one revision so far.</p>
      )}
    </div>
  );
}
