import { describe, expect, it } from 'vitest';
import { sandboxArgs, UnisolatedRuntimeError } from './sandbox.js';

describe('sandboxArgs', () => {
  const args = sandboxArgs(
    {
      appPaths: ['/srv/silo/packages/orchestrator'],
      dataDir: '/var/silo/tenants/acme/data',
      runDir: '/var/silo/tenants/acme/run',
    },
    ['/usr/bin/node', '/srv/silo/packages/orchestrator/dist/bundle/main.js'],
  );
  const joined = args.join(' ');

  it('unshares every namespace but the network, drops capabilities and nested user namespaces', () => {
    for (const flag of [
      '--unshare-user',
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--disable-userns',
      '--new-session',
    ])
      expect(args).toContain(flag);
    expect(joined).toContain('--cap-drop ALL');
    expect(args).not.toContain('--unshare-net');
    expect(args).not.toContain('--die-with-parent');
  });

  it('binds only the tenant folders read-write, the app read-only, and a private /tmp', () => {
    expect(joined).toContain('--bind /var/silo/tenants/acme/data /data');
    expect(joined).toContain('--bind /var/silo/tenants/acme/run /run/silo');
    expect(joined).toContain('--ro-bind /srv/silo/packages/orchestrator /srv/silo/packages/orchestrator');
    expect(joined).toContain('--tmpfs /tmp');
    expect(joined).not.toMatch(/--bind \/var\/silo(\/tenants)? /);
    expect(joined).not.toContain('docker.sock');
    expect(args.slice(-3)).toEqual([
      '--',
      '/usr/bin/node',
      '/srv/silo/packages/orchestrator/dist/bundle/main.js',
    ]);
  });
});

describe('UnisolatedRuntimeError', () => {
  it('names the tenant, the one running, what is missing and the setting', () => {
    const err = new UnisolatedRuntimeError('bob', 'alice', ['bubblewrap']);
    expect(err.message).toMatch(
      /refusing to start bob while alice runs.*missing: bubblewrap.*SILO_ALLOW_UNISOLATED=1/,
    );
  });
});
