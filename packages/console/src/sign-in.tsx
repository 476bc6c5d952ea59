import { useState } from 'preact/hooks';
import { signIn } from './api';
import { Alert } from './ui';

/** The sign-in form: a tenant API key, or the admin token for the dashboard. */
export function SignIn(props: {
  base: string;
  title: string;
  field: 'key' | 'token';
  onSignedIn: (csrf: string) => void;
}) {
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const label = props.field === 'key' ? 'API key' : 'Admin token';
  return (
    <main class="signin card">
      <h1>{props.title}</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            const body = props.field === 'key' ? { key: secret.trim() } : { token: secret.trim() };
            props.onSignedIn((await signIn(props.base, body)).csrf);
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          {label}
          <input
            type="password"
            autoComplete="off"
            value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)}
            required
          />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <Alert error={error} />
      </form>
    </main>
  );
}
