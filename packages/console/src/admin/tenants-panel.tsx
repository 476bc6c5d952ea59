import { useState } from 'preact/hooks';
import type { Client } from '../api';
import type { Page, TenantView } from '../types';
import { Alert, Section, StateBadge, useAction, useLoad, when } from '../ui';
import { KeysPanel } from './keys-panel';

const limitsText = (l: Record<string, number | undefined>) =>
  Object.entries(l)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'defaults';

/** Every tenant with its instance state, and the operator's actions on each; refreshed every 3 s. */
export function TenantsPanel({ api }: { api: Client }) {
  const tenants = useLoad(() => api.get<Page<TenantView>>('/v1/tenants'), [], 3000);
  const act = useAction();
  const [keysOf, setKeysOf] = useState<string | undefined>(undefined);
  const [confirmDelete, setConfirmDelete] = useState<string | undefined>(undefined);
  const [newId, setNewId] = useState('');
  const [newName, setNewName] = useState('');
  const call = (method: string, path: string, json?: unknown) =>
    act.run(async () => {
      await api.request(method, path, json === undefined ? undefined : { json });
      tenants.reload();
    });
  return (
    <Section title="Tenants">
      <Alert error={tenants.error ?? act.error} />
      <table>
        <caption>{`${tenants.data?.total ?? 0} tenant(s)`}</caption>
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">State</th>
            <th scope="col">Instance</th>
            <th scope="col">Last activity</th>
            <th scope="col">Cold starts</th>
            <th scope="col">Next wake</th>
            <th scope="col">Limits</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(tenants.data?.results ?? []).map((t) => {
            const path = `/v1/tenants/${encodeURIComponent(t.id)}`;
            const i = t.instance;
            return (
              <tr key={t.id}>
                <th scope="row">
                  {t.id}
                  <div class="muted">{t.name}</div>
                </th>
                <td aria-label={`State of ${t.id}`}>
                  {t.state}
                  {t.suspendedReason ? <div class="muted">{t.suspendedReason}</div> : null}
                </td>
                <td>
                  <StateBadge state={i.state.toUpperCase()} />
                  {i.lastError ? <div class="muted">{i.lastError}</div> : null}
                </td>
                <td>{when(i.lastActivityAt)}</td>
                <td>{i.coldStarts}</td>
                <td>
                  {when(i.nextWakeAt)}
                  {i.nextWakeReason ? <div class="muted">{i.nextWakeReason}</div> : null}
                </td>
                <td class="muted">{limitsText(t.limits)}</td>
                <td>
                  <div class="row">
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Start ${t.id}`}
                      disabled={act.busy}
                      onClick={() => call('POST', `${path}/start`)}
                    >
                      Start
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Stop ${t.id}`}
                      disabled={act.busy}
                      onClick={() => call('POST', `${path}/stop`)}
                    >
                      Stop
                    </button>
                    {t.state === 'active' ? (
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Suspend ${t.id}`}
                        disabled={act.busy}
                        onClick={() =>
                          call('POST', `${path}/suspend`, { reason: 'suspended from the dashboard' })
                        }
                      >
                        Suspend
                      </button>
                    ) : (
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Resume ${t.id}`}
                        disabled={act.busy}
                        onClick={() => call('POST', `${path}/resume`)}
                      >
                        Resume
                      </button>
                    )}
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Keys of ${t.id}`}
                      aria-expanded={keysOf === t.id}
                      onClick={() => setKeysOf(keysOf === t.id ? undefined : t.id)}
                    >
                      Keys
                    </button>
                    {confirmDelete === t.id ? (
                      <button
                        type="button"
                        class="danger"
                        aria-label={`Confirm deleting ${t.id}`}
                        onClick={() =>
                          call('DELETE', path).then(() => {
                            setConfirmDelete(undefined);
                            if (keysOf === t.id) setKeysOf(undefined);
                          })
                        }
                      >
                        Confirm delete
                      </button>
                    ) : (
                      <button
                        type="button"
                        class="danger"
                        aria-label={`Delete ${t.id}`}
                        onClick={() => setConfirmDelete(t.id)}
                      >
                        Delete
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {keysOf ? <KeysPanel api={api} tenantId={keysOf} /> : null}
      <form
        class="row"
        aria-label="Create a tenant"
        style="margin-top: 1rem"
        onSubmit={(e) => {
          e.preventDefault();
          void call('POST', '/v1/tenants', {
            id: newId.trim(),
            ...(newName.trim() ? { name: newName.trim() } : {}),
          }).then(() => {
            setNewId('');
            setNewName('');
          });
        }}
      >
        <label>
          New tenant id
          <input value={newId} onInput={(e) => setNewId(e.currentTarget.value)} required />
        </label>
        <label>
          Name (optional)
          <input value={newName} onInput={(e) => setNewName(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={act.busy}>
          Create tenant
        </button>
      </form>
    </Section>
  );
}
