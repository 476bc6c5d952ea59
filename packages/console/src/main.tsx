import { render } from 'preact';
import './styles.css';

/** `/ui/{tenant}/` → the tenant console; `/ui/admin/` → the operator dashboard; `/ui/` → a tenant chooser. */
const segment = window.location.pathname.split('/')[2] ?? '';
const root = document.getElementById('app')!;

if (segment === 'admin') {
  void import('./admin/admin-app').then(({ AdminApp }) => render(<AdminApp />, root));
} else if (segment !== '') {
  void import('./tenant/tenant-app').then(({ TenantApp }) => render(<TenantApp tenant={segment} />, root));
} else {
  void import('./choose-tenant').then(({ ChooseTenant }) => render(<ChooseTenant />, root));
}
