import { useEffect, useRef, useState } from 'preact/hooks';
import type { Client } from '../api';
import { go, href } from '../router';
import type { Flow } from '../types';
import { Alert, Section, useAction } from '../ui';
import { lineIssues, type ValidateResult } from './validation';
import type { LineIssue, YamlEditor } from './yaml-editor';

const TEMPLATE = `id: my-flow
namespace: company.team

inputs:
  - id: name
    type: STRING
    defaults: world

tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "Hello, {{ inputs.name }}!"
`;

/** The YAML editor: validated on the fly (each issue at its line), saved as a new revision. */
export function EditorPage({ api, namespace, id }: { api: Client; namespace?: string; id?: string }) {
  const existing = namespace !== undefined && id !== undefined;
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<YamlEditor | null>(null);
  const [issues, setIssues] = useState<LineIssue[]>([]);
  const [checked, setChecked] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const save = useAction();
  const [saved, setSaved] = useState('');

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let seq = 0;
    const validate = (text: string) => {
      clearTimeout(timer);
      setChecked(false);
      timer = setTimeout(async () => {
        const mine = ++seq;
        try {
          const results = await api.request<ValidateResult[]>('POST', '/flows/validate', {
            text,
            type: 'application/x-yaml',
          });
          if (cancelled || mine !== seq) return;
          const found = results.flatMap((r) => lineIssues(r.constraints));
          setIssues(found);
          setChecked(true);
          editor.current?.show(found);
        } catch (err) {
          if (!cancelled) setLoadError(err);
        }
      }, 350);
    };
    (async () => {
      const source = existing
        ? ((
            await api.get<Flow>(
              `/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}?source=true`,
            )
          ).source ?? '')
        : TEMPLATE;
      const { createYamlEditor } = await import('./yaml-editor');
      if (cancelled || host.current === null) return;
      editor.current = createYamlEditor(host.current, source, 'Flow YAML', validate);
      validate(source);
    })().catch((err: unknown) => !cancelled && setLoadError(err));
    return () => {
      cancelled = true;
      clearTimeout(timer);
      editor.current?.destroy();
      editor.current = null;
    };
  }, [api, existing, namespace, id]);

  const onSave = () =>
    save.run(async () => {
      const text = editor.current?.value() ?? '';
      const body = { text, type: 'application/x-yaml' };
      const flow = existing
        ? await api.request<Flow>(
            'PUT',
            `/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}`,
            body,
          )
        : await api.request<Flow>('POST', '/flows', body);
      setSaved(`Saved revision ${flow.revision} of ${flow.namespace}.${flow.id}`);
      go('flows', flow.namespace, flow.id);
    });

  return (
    <Section
      title={existing ? `Edit ${namespace}.${id}` : 'New flow'}
      actions={
        <div class="row">
          {existing ? (
            <a class="button secondary" href={href('flows', namespace, id)}>
              Cancel
            </a>
          ) : null}
          <button type="button" onClick={onSave} disabled={save.busy}>
            Save
          </button>
        </div>
      }
    >
      <Alert error={loadError} />
      <div ref={host} class="editor" />
      <div aria-live="polite">
        {checked && issues.length === 0 ? <p class="muted">No validation errors.</p> : null}
        {issues.length > 0 ? (
          <ul class="issues" aria-label="Validation errors">
            {issues.map((i) => (
              <li key={`${i.line}:${i.column}:${i.message}`}>
                Line {i.line}: {i.message}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <Alert error={save.error} />
      {saved ? <p role="status">{saved}</p> : null}
    </Section>
  );
}
