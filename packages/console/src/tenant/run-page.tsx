import type { Client } from '../api';
import { go, href } from '../router';
import type { Execution, Flow } from '../types';
import { Alert, Section, useAction, useLoad } from '../ui';
import { InputField, inputsBody } from './input-field';

/** Runs a flow: a form generated from its typed inputs, then straight to the new execution. */
export function RunPage({ api, namespace, id }: { api: Client; namespace: string; id: string }) {
  const path = `${encodeURIComponent(namespace)}/${encodeURIComponent(id)}`;
  const flow = useLoad(() => api.get<Flow>(`/flows/${path}`), [path]);
  const run = useAction();
  const inputs = flow.data?.inputs ?? [];
  return (
    <Section title={`Run ${namespace}.${id}`}>
      <Alert error={flow.error} />
      {flow.data ? (
        <form
          aria-label="Run flow"
          onSubmit={(e) => {
            e.preventDefault();
            const form = e.currentTarget;
            const labels = (form.elements.namedItem('__labels') as HTMLInputElement).value
              .split(/[\s,]+/)
              .filter((l) => l !== '');
            void run.run(async () => {
              const q = new URLSearchParams();
              for (const l of labels) q.append('labels', l);
              const execution = await api.request<Execution>('POST', `/executions/${path}?${q}`, {
                form: inputsBody(form, inputs),
              });
              go('executions', execution.id);
            });
          }}
        >
          <div class="grid2">
            {inputs.map((i) => (
              <InputField key={i.id} input={i} />
            ))}
            <label>
              Labels (key:value, optional)
              <input name="__labels" />
            </label>
          </div>
          {inputs.length === 0 ? <p class="muted">This flow has no inputs.</p> : null}
          <div class="row" style="margin-top: .8rem">
            <button type="submit" disabled={run.busy}>
              Execute
            </button>
            <a class="button secondary" href={href('flows', namespace, id)}>
              Cancel
            </a>
          </div>
          <Alert error={run.error} />
        </form>
      ) : null}
    </Section>
  );
}
