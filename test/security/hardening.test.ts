import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { WEBHOOK_NOT_FOUND_MESSAGE } from '@silo/contracts';
import { DockerDriver } from '@silo/gateway';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type DockerGateway, removeDataDir, startDockerGateway } from '../docker/docker-gateway.js';
import { testImage } from '../docker/orchestrator-image.js';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import { startTestGateway, type TestGateway, tenantWithKey } from '../helpers/test-gateway.js';
import { FILL_FLOW, tenantApi } from './quota-kit.js';
import { securityTable } from './report.js';

const attack = securityTable('keys, paths, smuggling, hostile input, hardening');
const reason = await dockerUnavailableReason();

/** Writes raw bytes on a socket to the gateway and returns what came back until it closed (bounded 5 s). */
function rawHttp(url: string, text: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    let got = '';
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on('data', (c) => (got += c.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    socket.on('error', reject);
    socket.write(text);
  });
}

describe('security: the gateway (process runtime, real orchestrator)', () => {
  let t: TestGateway;
  const keys: Record<string, string> = {};
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, { headers, signal: AbortSignal.timeout(30_000) });
  const bearer = (id: string) => ({ authorization: `Bearer ${keys[id]}` });

  beforeAll(async () => {
    t = await startTestGateway({ instance: 'orchestrator' });
    keys.alice = await t.tenant('alice');
    keys.bob = await t.tenant('bob');
  });
  afterAll(async () => {
    await t?.stop();
  });

  attack('keys', 'no key, unknown key, revoked-looking key: 401', 'process', async () => {
    expect((await get('/api/v1/alice/flows/search')).status).toBe(401);
    expect((await get('/api/v1/alice/flows/search', { authorization: 'Bearer silo_nope' })).status).toBe(401);
    expect((await get('/api/v1/alice/flows/search', { authorization: 'Basic YWxpY2U6eA==' })).status).toBe(
      401,
    );
  });

  attack('keys', "another tenant's key, or a key on an unknown tenant: the same 403", 'process', async () => {
    const other = await get('/api/v1/alice/flows/search', bearer('bob'));
    const ghost = await get('/api/v1/ghost/flows/search', bearer('bob'));
    expect(other.status).toBe(403);
    expect(ghost.status).toBe(403);
  });

  attack('keys', "`main` reaches only the key's own tenant", 'process', async () => {
    const res = await fetch(`${t.url}/api/v1/main/namespaces/n/kv/who`, {
      method: 'PUT',
      headers: { ...bearer('bob'), 'content-type': 'application/json' },
      body: JSON.stringify('bob'),
    });
    expect(res.status).toBeLessThan(300);
    expect((await get('/api/v1/alice/namespaces/n/kv/who', bearer('alice'))).status).toBe(404);
    expect(await (await get('/api/v1/bob/namespaces/n/kv/who', bearer('bob'))).json()).toMatchObject({
      value: 'bob',
    });
  });

  attack(
    'paths',
    'encoded slashes, .., //, non-canonical tenant: 400 before any instance',
    'process',
    async () => {
      for (const path of [
        '/api/v1/bob/flows%2F..%2F..%2Falice',
        '/api/v1/bob/../alice/flows/search',
        '/api/v1/bob/%2e%2e/alice/flows/search',
        '/api/v1/bob//flows/search',
        '/api/v1/BOB/flows/search',
        '/api/v1/b%6Fb/flows/search',
      ]) {
        const got = await rawHttp(
          t.url,
          `GET ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${keys.bob}\r\nconnection: close\r\n\r\n`,
        );
        expect(got, path).toMatch(/^HTTP\/1\.1 400/);
      }
    },
  );

  attack(
    'smuggling',
    'Content-Length with Transfer-Encoding, two Content-Lengths: refused',
    'process',
    async () => {
      const both = await rawHttp(
        t.url,
        `POST /api/v1/bob/flows HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${keys.bob}\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nGET /api/v1/alice/flows/search HTTP/1.1\r\nhost: x\r\n\r\n`,
      );
      expect(both).toMatch(/^HTTP\/1\.1 400/);
      expect(both.match(/HTTP\/1\.1/g)).toHaveLength(1);
      const twice = await rawHttp(
        t.url,
        `POST /api/v1/bob/flows HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 40\r\n\r\nx`,
      );
      expect(twice).toMatch(/^HTTP\/1\.1 400/);
    },
  );

  attack(
    '6 metrics',
    'GET /metrics without or with a wrong token: 401, no tenant ids',
    'process',
    async () => {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, bearer('alice')]) {
        const res = await get('/metrics', headers);
        const text = await res.text();
        expect(res.status).toBe(401);
        expect(text).not.toContain('alice');
      }
    },
  );

  attack(
    '8 operations',
    "a tenant key on another tenant's (or its own) migration, upgrade, restore and the versions admin: 401, nothing changed",
    'process',
    async () => {
      const send = (method: string, path: string, body?: unknown) =>
        fetch(`${t.url}${path}`, {
          method,
          headers: { ...bearer('alice'), 'content-type': 'application/json' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(30_000),
        });
      const before = await t.admin<{ kestraVersion: string; version: string | null }>(
        'GET',
        '/admin/v1/tenants/bob',
      );
      for (const victim of ['bob', 'alice']) {
        expect((await send('GET', `/admin/v1/tenants/${victim}/migration?to=2.0`)).status).toBe(401);
        expect(
          (await send('POST', `/admin/v1/tenants/${victim}/migration`, { to: '2.0', apply: true })).status,
        ).toBe(401);
        expect((await send('POST', `/admin/v1/tenants/${victim}/upgrade`, { version: '0.0.1' })).status).toBe(
          401,
        );
        expect((await send('POST', `/admin/v1/tenants/${victim}/restore`, { backupId: 'x' })).status).toBe(
          401,
        );
        expect((await send('POST', `/admin/v1/tenants/${victim}/backups`)).status).toBe(401);
      }
      expect((await send('GET', '/admin/v1/versions')).status).toBe(401);
      expect((await send('POST', '/admin/v1/versions', { version: '6.6.6', bundle: '/tmp' })).status).toBe(
        401,
      );
      expect((await send('DELETE', '/admin/v1/versions/6.6.6')).status).toBe(401);
      // Nor through the tenant API: the instance's own migration route is not on the proxied path.
      expect((await send('GET', '/api/v1/bob/_silo/migration?to=2.0')).status).toBe(403);
      expect((await send('GET', '/api/v1/alice/_silo/migration?to=2.0')).status).toBeGreaterThanOrEqual(400);
      expect((await send('GET', '/api/v1/alice/../../_silo/migration?to=2.0')).status).toBeGreaterThanOrEqual(
        400,
      );
      const after = await t.admin<{ kestraVersion: string; version: string | null }>(
        'GET',
        '/admin/v1/tenants/bob',
      );
      expect(after).toMatchObject({ kestraVersion: before.kestraVersion, version: before.version });
      expect(
        (await t.admin<{ results: unknown[] }>('GET', '/admin/v1/versions')).results.map(
          (v) => (v as { version: string }).version,
        ),
      ).not.toContain('6.6.6');
    },
  );

  attack(
    '7 connection',
    "a client's Connection: close is honoured on a proxied response",
    'process',
    async () => {
      const got = await rawHttp(
        t.url,
        `GET /api/v1/bob/flows/search HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${keys.bob}\r\nconnection: close\r\n\r\n`,
      );
      expect(got).toMatch(/^HTTP\/1\.1 200/);
      expect(got).toMatch(/\r\nconnection: close\r\n/i);
    },
  );

  attack(
    '5 hostile input',
    'YAML alias bomb, deep nesting, deep JSON inputs: 4xx naming the limit',
    'process',
    async () => {
      const post = (path: string, body: string, type: string) =>
        fetch(`${t.url}/api/v1/bob${path}`, {
          method: 'POST',
          headers: { ...bearer('bob'), 'content-type': type },
          body,
        });
      const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
        .concat(
          Array.from(
            { length: 9 },
            (_, i) =>
              `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
                .fill(`*${String.fromCharCode(97 + i)}`)
                .join(',')}]`,
          ),
        )
        .join('\n');
      const nested = `${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} v`;
      for (const yaml of [`id: x\nnamespace: n\n${bomb}\ntasks: []`, nested]) {
        const res = await post('/flows', yaml, 'application/x-yaml');
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        // Kestra 1.3 answers {message}; a 2.0 tenant (the default) RFC 9457 problem+json with its `detail`.
        const body = (await res.json()) as { message?: string; detail?: string };
        expect((body.message ?? body.detail ?? '').length).toBeGreaterThan(0);
      }
      const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
      const res = await post('/namespaces/n/kv/deep', deep, 'application/json');
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    },
  );

  attack('7 lifecycle report', 'a 4 MB report is refused, the gateway stays up', 'process', async () => {
    const hostile = await startTestGateway({ stubArgs: ['--huge-report'] });
    try {
      const key = await hostile.tenant('huge');
      expect(
        (await fetch(`${hostile.url}/api/v1/huge/echo`, { headers: { authorization: `Bearer ${key}` } }))
          .status,
      ).toBe(200);
      const view = await hostile.admin<{ instance: { busy: boolean | null } }>(
        'GET',
        '/admin/v1/tenants/huge',
      );
      expect(view.instance.busy).toBeNull();
      expect((await fetch(`${hostile.url}/healthz`)).status).toBe(200);
    } finally {
      await hostile.stop();
    }
  });
});

describeDocker(reason, 'security: Docker tenants (real engine)', () => {
  const docker = new Docker();
  const run = randomBytes(3).toString('hex');
  let g: DockerGateway;
  let alice: ReturnType<typeof tenantApi>;
  const [a, b] = [`sec-a-${run}`, `sec-b-${run}`];
  const KEY = 'k3y-0123456789';
  const shellFlow = (id: string, commands: string[]) =>
    `id: ${id}\nnamespace: probe\ntasks:\n  - id: sh\n    type: io.kestra.plugin.scripts.shell.Commands\n    failFast: false\n    commands:\n${commands.map((c) => `      - ${JSON.stringify(c)}`).join('\n')}\n`;
  const logsOf = async (executionId: string) => {
    const res = await alice.call(`/logs/${executionId}`);
    return ((await res.json()) as { message: string }[]).map((l) => l.message).join('\n');
  };

  beforeAll(async () => {
    const image = await testImage();
    g = await startDockerGateway({ image: image.tag, labels: { 'silo.test-run': run } });
    alice = tenantApi(g.url, a, await tenantWithKey(g.admin, a, { storageMb: 20 }));
    await g.tenant(b);
    await g.admin('POST', `/admin/v1/tenants/${b}/start`);
    await alice.deploy(
      `id: inbox\nnamespace: company\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: x\ntriggers:\n  - id: h\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: ${KEY}\n`,
    );
    await alice.deploy(
      `id: internal-report\nnamespace: webhook\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: secret\n`,
    );
  });
  afterAll(async () => {
    for (const id of [a, b])
      await g?.admin('DELETE', `/admin/v1/tenants/${id}?purge=true`).catch(() => undefined);
    await g?.close({ stopInstances: true });
    if (g) removeDataDir(g.dataDir);
  });

  attack(
    'hardening',
    'docker inspect: non-root, no caps, no-new-privileges, read-only root, no socket',
    'docker',
    async () => {
      const info = await docker.getContainer(`silo-${a}`).inspect();
      expect(info.Config.User).not.toMatch(/^(0|root)?(:|$)/);
      expect(info.HostConfig.CapDrop).toContain('ALL');
      expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges');
      expect(info.HostConfig.ReadonlyRootfs).toBe(true);
      expect(info.Mounts.map((m) => m.Source ?? '').join()).not.toContain('docker.sock');
      for (const bindings of Object.values(info.HostConfig.PortBindings ?? {}))
        for (const bnd of bindings as { HostIp: string }[]) expect(bnd.HostIp).toBe('127.0.0.1');
    },
  );

  attack(
    'hardening',
    'from a shell task: uid ≠ 0, CapEff 0, NoNewPrivs, read-only /, no socket, bob unreachable',
    'docker',
    async () => {
      const bob = await docker.getContainer(`silo-${b}`).inspect();
      const bobIp = Object.values(bob.NetworkSettings.Networks)[0]?.IPAddress ?? '';
      expect(bobIp).not.toBe('');
      await alice.deploy(
        shellFlow('inside', [
          'echo "UID=$(id -u)"',
          'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status',
          'touch /pwned 2>/dev/null && echo ROOT_WRITABLE || echo ROOT_READONLY',
          'test -e /var/run/docker.sock && echo SOCKET_PRESENT || echo NO_SOCKET',
          `wget -q -T 3 -O - http://${bobIp}:8081/healthz >/dev/null 2>&1 && echo BOB_REACHED || echo BOB_UNREACHABLE`,
        ]),
      );
      const e = await alice.run('probe', 'inside');
      const out = await logsOf(e.id);
      expect(out).toMatch(/UID=[1-9]\d*/);
      expect(out).toMatch(/CapEff:\s+0+\b/);
      expect(out).toMatch(/NoNewPrivs:\s+1/);
      expect(out).toContain('ROOT_READONLY');
      expect(out).toContain('NO_SOCKET');
      expect(out).toContain('BOB_UNREACHABLE');
    },
  );

  attack('2 keyless webhook', 'POST executions/webhook/internal-report?wait=true', 'docker', async () => {
    const res = await fetch(`${g.url}/api/v1/${a}/executions/webhook/internal-report?wait=true`, {
      method: 'POST',
    });
    expect(res.status).toBe(401);
  });

  attack(
    '6 enumeration',
    'stopped: unknown tenant = wrong key, nothing starts; right key wakes',
    'docker',
    async () => {
      await g.admin('POST', `/admin/v1/tenants/${a}/stop`);
      const miss = async (path: string) => {
        const res = await fetch(`${g.url}${path}`, { method: 'POST' });
        return { status: res.status, body: await res.text() };
      };
      const ghost = await miss(`/api/v1/ghost-${run}/executions/webhook/company/inbox/${KEY}`);
      const wrong = await miss(`/api/v1/${a}/executions/webhook/company/inbox/wrong`);
      expect(ghost).toEqual(wrong);
      expect(JSON.parse(wrong.body)).toEqual({ message: WEBHOOK_NOT_FOUND_MESSAGE, code: 'NOT_FOUND' });
      const view = await g.admin<{ instance: { state: string } }>('GET', `/admin/v1/tenants/${a}`);
      expect(view.instance.state).toBe('stopped');
      const hit = await fetch(`${g.url}/api/v1/${a}/executions/webhook/company/inbox/${KEY}`, {
        method: 'POST',
      });
      expect(hit.status).toBe(200);
    },
  );

  attack('4 disk quota', 'a shell task in the container writes 200 MB', 'docker', async () => {
    await alice.deploy(FILL_FLOW);
    const e = await alice.run('attack', 'fill');
    expect(e.state.current).toBe('FAILED');
    expect(await alice.errors(e.id)).toMatch(/storage quota of 20 MB \(storageMb\)/);
    expect(await alice.putKv('after', 'k', 'fine')).toBeLessThan(300);
    const view = await g.admin<{ storage: { limitMb: number; usedMb: number | null } }>(
      'GET',
      `/admin/v1/tenants/${a}`,
    );
    expect(view.storage.limitMb).toBe(20);
  });

  attack(
    '7 SILO_SCOPE',
    "another scope's reconcile leaves this gateway's container running",
    'docker',
    async () => {
      const other = new DockerDriver({
        image: (await testImage()).tag,
        build: false,
        scope: `other-${run}`,
        orphanGraceMs: 100,
      });
      try {
        await other.reconcile(() => []);
        await new Promise((r) => setTimeout(r, 500));
        expect((await docker.getContainer(`silo-${b}`).inspect()).State.Running).toBe(true);
      } finally {
        await other.close();
      }
    },
  );

  attack('hardening', 'the gateway reaches no instance without its token', 'docker', async () => {
    const info = await docker.getContainer(`silo-${b}`).inspect();
    const port = Object.values(info.NetworkSettings.Ports ?? {})[0]?.[0]?.HostPort;
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/${b}/flows/search`);
    expect(res.status).toBe(401);
  });
});
