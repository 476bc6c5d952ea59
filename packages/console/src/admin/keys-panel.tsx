import { useState } from 'preact/hooks';
import type { Client } from '../api';
import type { ApiKeyView, Page } from '../types';
import { Alert, Section, useAction, useLoad, when } from '../ui';

/** A tenant's API keys: list (no secrets), create (the key is shown once), revoke. */
export function KeysPanel({ api, tenantId }: { api: Client; tenantId: string }) {
  const path = `/v1/tenants/${encodeURIComponent(tenantId)}/keys`;
  const keys = useLoad(() => api.get<Page<ApiKeyView>>(path), [path]);
  const act = useAction();
  const [created, setCreated] = useState<string | undefined>(undefined);
  const [name, setName] = useState('');
  return (
    <Section title={`Keys of ${tenantId}`}>
      <Alert error={keys.error ?? act.error} />
      {created ? (
        <p role="status">
          New key (shown once): <code>{created}</code>
        </p>
      ) : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(keys.data?.results ?? []).map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{when(k.createdAt)}</td>
              <td>{when(k.lastUsedAt)}</td>
              <td>
                {k.revokedAt ? (
                  <span class="muted">revoked {when(k.revokedAt)}</span>
                ) : (
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Revoke key ${k.name}`}
                    onClick={() =>
                      act.run(() =>
                        api.request('DELETE', `${path}/${encodeURIComponent(k.id)}`).then(keys.reload),
                      )
                    }
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="row"
        aria-label="Create a key"
        onSubmit={(e) => {
          e.preventDefault();
          void act.run(async () => {
            const out = await api.request<{ key: string }>('POST', path, {
              json: name.trim() ? { name: name.trim() } : {},
            });
            setCreated(out.key);
            setName('');
            keys.reload();
          });
        }}
      >
        <label>
          Key name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={act.busy}>
          Create key
        </button>
      </form>
    </Section>
  );
}
