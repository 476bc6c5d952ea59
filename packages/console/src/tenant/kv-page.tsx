import { useState } from 'preact/hooks';
import { Client } from '../api';
import type { KvValue } from '../types';
import { Alert, Section, useAction, useLoad, when } from '../ui';
import { kvEntries } from './dialect';

/** Browse, set and delete KV pairs per namespace; list the tenant's secret names (never their values). */
export function KvPage({ api }: { api: Client }) {
  const namespaces = useLoad(() => api.get<string[]>('/flows/distinct-namespaces'), []);
  const [namespace, setNamespace] = useState('');
  const ns = namespace || namespaces.data?.[0] || '';
  const kvPath = `/namespaces/${encodeURIComponent(ns)}/kv`;
  // 1.3 answers a bare array, 2.0 a page `{results, total}`: read both.
  const entries = useLoad(() => (ns ? api.get<unknown>(kvPath).then(kvEntries) : Promise.resolve([])), [ns]);
  const secrets = useLoad(
    () =>
      new Client(api.base.replace('/api/v1/', '/ui/'), api.csrf).get<{ name: string; updatedAt: string }[]>(
        '/secrets',
      ),
    [],
  );
  const change = useAction();
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [shown, setShown] = useState<{ key: string; value: KvValue } | undefined>(undefined);
  return (
    <>
      <Section title="Key-value store">
        <div class="row">
          <label>
            Namespace
            <input list="kv-namespaces" value={ns} onInput={(e) => setNamespace(e.currentTarget.value)} />
            <datalist id="kv-namespaces">
              {(namespaces.data ?? []).map((n) => (
                <option key={n} value={n} />
              ))}
            </datalist>
          </label>
        </div>
        <Alert error={entries.error ?? change.error} />
        <table>
          <caption>{`${entries.data?.length ?? 0} key(s) in ${ns || '—'}`}</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Version</th>
              <th scope="col">Updated</th>
              <th scope="col">Expires</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(entries.data ?? []).map((e) => (
              <tr key={e.key}>
                <td>{e.key}</td>
                <td>{e.version ?? ''}</td>
                <td>{when(e.updateDate)}</td>
                <td>{e.expirationDate ? when(e.expirationDate) : 'never'}</td>
                <td class="row">
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Show key ${e.key}`}
                    onClick={() =>
                      change.run(async () =>
                        setShown({
                          key: e.key,
                          value: await api.get<KvValue>(`${kvPath}/${encodeURIComponent(e.key)}`),
                        }),
                      )
                    }
                  >
                    Show
                  </button>
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Delete key ${e.key}`}
                    onClick={() =>
                      change.run(() =>
                        api.request('DELETE', `${kvPath}/${encodeURIComponent(e.key)}`).then(entries.reload),
                      )
                    }
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {shown ? (
          <p role="status">
            {shown.key} ({shown.value.type}): <code>{JSON.stringify(shown.value.value)}</code>
          </p>
        ) : null}
        <form
          class="row"
          aria-label="Set a key"
          onSubmit={(e) => {
            e.preventDefault();
            void change.run(async () => {
              await api.request('PUT', `${kvPath}/${encodeURIComponent(key.trim())}`, {
                text: value,
                type: 'text/plain',
              });
              setKey('');
              setValue('');
              entries.reload();
            });
          }}
        >
          <label>
            Key
            <input value={key} onInput={(e) => setKey(e.currentTarget.value)} required />
          </label>
          <label>
            Value (JSON or text)
            <input value={value} onInput={(e) => setValue(e.currentTarget.value)} required />
          </label>
          <button type="submit" disabled={change.busy || !ns}>
            Set
          </button>
        </form>
      </Section>
      <Section title="Secret names">
        <Alert error={secrets.error} />
        <p class="muted">Values are never shown; the operator sets them (admin API or `silo secret set`).</p>
        <ul aria-label="Secrets">
          {(secrets.data ?? []).map((s) => (
            <li key={s.name}>
              <code>{s.name}</code> <span class="muted">updated {when(s.updatedAt)}</span>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}
