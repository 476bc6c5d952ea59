import { useEffect, useMemo, useState } from 'preact/hooks';
import { Client, currentSession, signOut } from '../api';
import { SignIn } from '../sign-in';
import { Alert } from '../ui';
import { GatewayPanel } from './gateway-panel';
import { TenantsPanel } from './tenants-panel';

/** The operator dashboard at `/ui/admin/`: gateway status and charts, tenants and their lifecycle. */
export function AdminApp() {
  const base = '/ui/admin';
  const [csrf, setCsrf] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    currentSession(base).then((s) => setCsrf(s?.csrf ?? null), setError);
  }, []);
  const api = useMemo(() => (csrf ? new Client(`${base}/api`, csrf) : undefined), [csrf]);
  if (error) return <Alert error={error} />;
  if (csrf === undefined) return <p class="muted">Loading…</p>;
  if (api === undefined)
    return <SignIn base={base} title="Operator sign-in" field="token" onSignedIn={(t) => setCsrf(t)} />;
  return (
    <>
      <header class="top">
        <h1>Silo · operator</h1>
        <span class="spacer" />
        <button
          type="button"
          class="secondary"
          onClick={() => signOut(base, api.csrf).then(() => setCsrf(null))}
        >
          Sign out
        </button>
      </header>
      <main>
        <GatewayPanel api={api} />
        <TenantsPanel api={api} />
      </main>
    </>
  );
}
