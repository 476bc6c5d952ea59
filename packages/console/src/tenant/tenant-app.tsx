import { useEffect, useMemo, useState } from 'preact/hooks';
import { Client, currentSession, signOut } from '../api';
import { useHashRoute } from '../router';
import { SignIn } from '../sign-in';
import { Alert } from '../ui';
import { EditorPage } from './editor-page';
import { ExecutionPage } from './execution-page';
import { ExecutionsPage } from './executions-page';
import { FlowPage } from './flow-page';
import { FlowsPage } from './flows-page';
import { KvPage } from './kv-page';
import { RunPage } from './run-page';

/** The tenant console: sign-in, then flows, executions, KV, routed by the URL's `#/...`. */
export function TenantApp({ tenant }: { tenant: string }) {
  const base = `/ui/${encodeURIComponent(tenant)}`;
  const [csrf, setCsrf] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    currentSession(base).then((s) => setCsrf(s?.csrf ?? null), setError);
  }, [base]);
  const api = useMemo(
    () => (csrf ? new Client(`/api/v1/${encodeURIComponent(tenant)}`, csrf) : undefined),
    [csrf, tenant],
  );
  if (error) return <Alert error={error} />;
  if (csrf === undefined) return <p class="muted">Loading…</p>;
  if (api === undefined)
    return (
      <SignIn base={base} title={`Sign in to ${tenant}`} field="key" onSignedIn={(token) => setCsrf(token)} />
    );
  return (
    <Shell tenant={tenant} onSignOut={() => signOut(base, api.csrf).then(() => setCsrf(null))}>
      <Routes api={api} />
    </Shell>
  );
}

function Shell(props: { tenant: string; onSignOut: () => void; children: preact.ComponentChildren }) {
  const [first] = useHashRoute();
  const link = (to: string, label: string) => (
    <a href={`#/${to}`} aria-current={(first ?? 'flows') === to ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <header class="top">
        <h1>Silo · {props.tenant}</h1>
        <nav aria-label="Main">
          {link('flows', 'Flows')}
          {link('executions', 'Executions')}
          {link('kv', 'KV & secrets')}
        </nav>
        <span class="spacer" />
        <button type="button" class="secondary" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <main>{props.children}</main>
    </>
  );
}

function Routes({ api }: { api: Client }) {
  const route = useHashRoute();
  const [page, a, b, c] = route;
  switch (page) {
    case 'executions':
      return a ? <ExecutionPage api={api} id={a} /> : <ExecutionsPage api={api} />;
    case 'kv':
      return <KvPage api={api} />;
    case 'new':
      return <EditorPage api={api} />;
    case 'flows':
      if (a && b && c === 'edit') return <EditorPage api={api} namespace={a} id={b} />;
      if (a && b && c === 'run') return <RunPage api={api} namespace={a} id={b} />;
      if (a && b) return <FlowPage api={api} namespace={a} id={b} />;
      return <FlowsPage api={api} />;
    default:
      return <FlowsPage api={api} />;
  }
}
