import { useState } from 'preact/hooks';

/** `/ui/`: asks which tenant's console to open (or the operator dashboard). */
export function ChooseTenant() {
  const [tenant, setTenant] = useState('demo');
  return (
    <main class="signin card">
      <h1>Silo console</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          window.location.assign(`/ui/${encodeURIComponent(tenant.trim())}/`);
        }}
      >
        <label>
          Tenant
          <input value={tenant} onInput={(e) => setTenant(e.currentTarget.value)} required />
        </label>
        <button type="submit">Open console</button>
      </form>
      <p>
        <a href="/ui/admin/">Operator dashboard</a>
      </p>
    </main>
  );
}
