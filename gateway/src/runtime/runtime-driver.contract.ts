import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { INSTANCE_TOKEN_HEADER, LIFECYCLE_PATH, READYZ_PATH } from '@silo/contracts';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Endpoint, InstanceStatus, RuntimeDriver, RuntimeEvent } from './runtime-driver.js';

/** Builds a driver; called more than once per suite, every driver must see the same instances (adoption). */
export type MakeDriver = () => RuntimeDriver | Promise<RuntimeDriver>;

export type ContractOptions = {
  /** Bound on a start becoming ready. @default 30000 */
  readyTimeoutMs?: number;
  /** Grace passed to `stop`. @default 5000 */
  graceMs?: number;
  /**
   * Kills a running instance behind the driver's back (SIGKILL, `docker kill`):
   * with it, drivers that `watch` must report the death, and only that one.
   */
  killFromOutside?: (status: InstanceStatus) => Promise<void>;
  /** Time for a fresh `watch` to be listening (an event stream to open). @default 0 */
  watchSettleMs?: number;
};

/**
 * The one suite every `RuntimeDriver` passes (STYLE.md rule 3): start → ready
 * endpoint that requires its token, inspect/list, stop keeps the instance
 * restartable, remove with purge leaves nothing, logs, two tenants apart,
 * and a second driver over the same backing state adopts what runs.
 *
 * @example
 * // gateway/src/runtime/process/process-driver.test.ts
 * runtimeDriverContract('process', () => new ProcessDriver({ dataDir }));
 */
export function runtimeDriverContract(
  name: string,
  makeDriver: MakeDriver,
  options: ContractOptions = {},
): void {
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const graceMs = options.graceMs ?? 5_000;
  const testTimeout = readyTimeoutMs * 3 + graceMs * 2;

  describe(`RuntimeDriver contract: ${name}`, () => {
    const created = new Set<string>();
    const drivers: RuntimeDriver[] = [];
    const driver = async () => {
      const d = await makeDriver();
      drivers.push(d);
      return d;
    };
    const tenant = () => {
      const id = `ct-${randomBytes(4).toString('hex')}`;
      created.add(id);
      return id;
    };
    const token = () => randomBytes(24).toString('hex');

    afterEach(async () => {
      const d = await driver();
      for (const id of created) await d.remove(id, { purge: true }).catch(() => undefined);
      created.clear();
    }, testTimeout);
    afterAll(async () => {
      for (const d of drivers) await d.close?.();
    });

    it(
      'starts an instance on 127.0.0.1 or a unix socket that becomes ready and requires its token',
      async () => {
        const d = await driver();
        const id = tenant();
        const t = token();
        const endpoint = await d.start({ tenantId: id, instanceToken: t });
        if (endpoint.socketPath === undefined) {
          expect(endpoint.host).toBe('127.0.0.1');
          expect(endpoint.url).toBe(`http://127.0.0.1:${endpoint.port}`);
        }
        await waitReady(endpoint, readyTimeoutMs);
        expect(await statusOf(endpoint, LIFECYCLE_PATH)).toBe(401);
        expect(await statusOf(endpoint, LIFECYCLE_PATH, { [INSTANCE_TOKEN_HEADER]: t })).toBe(200);
      },
      testTimeout,
    );

    it(
      'inspects and lists a running instance with its endpoint, token and ref',
      async () => {
        const d = await driver();
        const id = tenant();
        const t = token();
        const endpoint = await d.start({ tenantId: id, instanceToken: t });
        const status = await d.inspect(id);
        expect(status).toMatchObject({ tenantId: id, state: 'running', instanceToken: t });
        expect(status.endpoint?.port).toBe(endpoint.port);
        expect(status.endpoint?.socketPath).toBe(endpoint.socketPath);
        expect(status.ref).toBeTruthy();
        const listed = (await d.list()).find((s) => s.tenantId === id);
        expect(listed).toMatchObject({ state: 'running', instanceToken: t, ref: status.ref });
      },
      testTimeout,
    );

    it(
      'reports an unknown tenant as absent and stops it without error',
      async () => {
        const d = await driver();
        const id = tenant();
        expect((await d.inspect(id)).state).toBe('absent');
        await d.stop(id, graceMs);
        await d.stop(id, graceMs);
      },
      testTimeout,
    );

    it(
      'stops an instance (idempotently) and starts it again',
      async () => {
        const d = await driver();
        const id = tenant();
        const first = await d.start({ tenantId: id, instanceToken: token() });
        await waitReady(first, readyTimeoutMs);
        await d.stop(id, graceMs);
        expect((await d.inspect(id)).state).not.toBe('running');
        await expect(statusOf(first, '/healthz')).rejects.toThrow();
        await d.stop(id, graceMs);
        const second = await d.start({ tenantId: id, instanceToken: token() });
        await waitReady(second, readyTimeoutMs);
        expect((await d.inspect(id)).state).toBe('running');
      },
      testTimeout,
    );

    it(
      'removes an instance and its data with purge',
      async () => {
        const d = await driver();
        const id = tenant();
        await waitReady(await d.start({ tenantId: id, instanceToken: token() }), readyTimeoutMs);
        await d.remove(id, { purge: true });
        expect((await d.inspect(id)).state).toBe('absent');
        expect((await d.list()).some((s) => s.tenantId === id)).toBe(false);
      },
      testTimeout,
    );

    it(
      'keeps two tenants apart: distinct ports or sockets, each with its own token',
      async () => {
        const d = await driver();
        const [a, b] = [tenant(), tenant()];
        const [ta, tb] = [token(), token()];
        const [ea, eb] = await Promise.all([
          d.start({ tenantId: a, instanceToken: ta }),
          d.start({ tenantId: b, instanceToken: tb }),
        ]);
        expect(`${ea.port}${ea.socketPath}`).not.toBe(`${eb.port}${eb.socketPath}`);
        await Promise.all([waitReady(ea, readyTimeoutMs), waitReady(eb, readyTimeoutMs)]);
        expect(await statusOf(ea, LIFECYCLE_PATH, { [INSTANCE_TOKEN_HEADER]: tb })).toBe(401);
      },
      testTimeout,
    );

    it(
      "returns the instance's own output as logs",
      async () => {
        const d = await driver();
        const id = tenant();
        await waitReady(await d.start({ tenantId: id, instanceToken: token() }), readyTimeoutMs);
        const deadline = Date.now() + readyTimeoutMs;
        let logs = '';
        while (Date.now() < deadline) {
          logs = await d.logs(id, { tail: 50 });
          if (logs.length > 0) break;
          await sleep(50);
        }
        expect(logs.length).toBeGreaterThan(0);
      },
      testTimeout,
    );

    it(
      'lets a second driver over the same state adopt a running instance',
      async () => {
        const d = await driver();
        const id = tenant();
        const t = token();
        const endpoint = await d.start({ tenantId: id, instanceToken: t });
        await waitReady(endpoint, readyTimeoutMs);
        const before = await d.inspect(id);
        const other = await driver();
        const adopted = await other.inspect(id);
        expect(adopted).toMatchObject({ state: 'running', ref: before.ref, instanceToken: t });
        expect(adopted.endpoint?.port).toBe(endpoint.port);
        expect(adopted.endpoint?.socketPath).toBe(endpoint.socketPath);
        await other.stop(id, graceMs);
        expect((await d.inspect(id)).state).not.toBe('running');
      },
      testTimeout,
    );

    it(
      'reports an instance killed from outside as instance:exited at once, never a stop by the driver, and for an adopted instance too',
      async () => {
        const d = await driver();
        const kill = options.killFromOutside;
        if (d.watch === undefined || kill === undefined) return;
        const seen: RuntimeEvent[] = [];
        const off = d.watch((e) => seen.push(e));
        await sleep(options.watchSettleMs ?? 0);
        const [a, b] = [tenant(), tenant()];
        const [ea, eb] = await Promise.all([
          d.start({ tenantId: a, instanceToken: token() }),
          d.start({ tenantId: b, instanceToken: token() }),
        ]);
        await Promise.all([waitReady(ea, readyTimeoutMs), waitReady(eb, readyTimeoutMs)]);
        const status = await d.inspect(a);
        await d.stop(b, graceMs);
        const t0 = Date.now();
        await kill(status);
        const exited = await waitUntil(() =>
          seen.find((e) => e.type === 'instance:exited' && e.tenantId === a),
        );
        const ms = Date.now() - t0;
        expect(exited).toMatchObject({ ref: String(status.ref) });
        expect(ms).toBeLessThan(2_000);
        await sleep(200);
        expect(seen.filter((e) => e.type === 'instance:exited' && e.tenantId === b)).toEqual([]);
        off();

        // A second driver (a restarted gateway) adopts a running instance and still hears of its death.
        await waitReady(await d.start({ tenantId: a, instanceToken: token() }), readyTimeoutMs);
        const other = await driver();
        const heard: RuntimeEvent[] = [];
        const offOther = other.watch?.((e) => heard.push(e));
        await sleep(options.watchSettleMs ?? 0);
        const adopted = await other.inspect(a);
        expect(adopted.state).toBe('running');
        await kill(adopted);
        expect(
          await waitUntil(() => heard.find((e) => e.type === 'instance:exited' && e.tenantId === a)),
        ).toMatchObject({ ref: String(adopted.ref) });
        offOther?.();
      },
      testTimeout,
    );
  });
}

/** Polls every 10 ms for up to 3 s until `check` returns something. */
async function waitUntil<T>(check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out after 3000 ms');
    await sleep(10);
  }
}

async function waitReady(endpoint: Endpoint, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      // Bounded: on a fresh Docker port, a request can wait forever on the userland proxy.
      const status = await statusOf(endpoint, READYZ_PATH);
      if (status === 200) return;
      last = `status ${status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(20);
  }
  throw new Error(`instance at ${endpoint.url} not ready within ${timeoutMs} ms (${last})`);
}

/** GET over the endpoint's TCP port or unix socket, bounded to 1 s; resolves to the status code. */
function statusOf(endpoint: Endpoint, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const where = endpoint.socketPath
      ? { socketPath: endpoint.socketPath }
      : { host: endpoint.host, port: endpoint.port };
    const req = request({ ...where, path, headers, agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer on ${path} within 1000 ms`)));
    req.on('error', reject);
    req.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
