import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerDriver, type Endpoint, isFrozen, resolveFreezer, thaw } from '@silo/gateway';
import Docker from 'dockerode';
import { afterAll, expect, it, vi } from 'vitest';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import { testImage } from './orchestrator-image.js';

const reason = await dockerUnavailableReason();
const image = reason === undefined ? await testImage() : undefined;

/** Whether the instance answers /healthz within `ms` (a frozen one does not). */
async function answers(endpoint: Endpoint, ms: number): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint.url}/healthz`, { signal: AbortSignal.timeout(ms) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * SILO_DOCKER_THAW on the real engine: the resume writes the container's
 * cgroup freezer, dockerd is reconciled later (refreeze + the engine's
 * unpause), and every way the freezer cannot be used falls back to the API.
 */
describeDocker(reason, 'resuming a paused container through its cgroup freezer', () => {
  const docker = new Docker();
  const suffix = randomBytes(3).toString('hex');
  const drivers: DockerDriver[] = [];
  const tenants: [DockerDriver, string][] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const [driver, id] of tenants) await driver.remove(id, { purge: true }).catch(() => undefined);
    for (const driver of drivers) await driver.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const events = { fallback: [] as string[], reconciled: [] as number[], errors: [] as unknown[] };
  const driverWith = (thawOptions: NonNullable<ConstructorParameters<typeof DockerDriver>[0]>['thaw']) => {
    const driver = new DockerDriver({
      image: image!.tag,
      build: false,
      thaw: {
        onFallback: (why) => events.fallback.push(why),
        onReconciled: (_, ms) => events.reconciled.push(ms),
        onReconcileError: (_, err) => events.errors.push(err),
        ...thawOptions,
      },
    });
    drivers.push(driver);
    return driver;
  };
  const started = async (driver: DockerDriver, name: string) => {
    const id = `${name}-${suffix}`;
    tenants.push([driver, id]);
    const endpoint = await driver.start({ tenantId: id, instanceToken: randomBytes(24).toString('hex') });
    await vi.waitFor(async () => expect(await answers(endpoint, 1_000)).toBe(true), {
      timeout: 60_000,
      interval: 100,
    });
    return { id, endpoint };
  };
  const state = async (id: string) => (await docker.getContainer(`silo-${id}`).inspect()).State;
  const freezerOf = async (id: string) => {
    const info = await docker.getContainer(`silo-${id}`).inspect();
    return resolveFreezer(info.State.Pid, info.Id);
  };

  it('pause → a freezer write resumes it (it answers), dockerd says running once the reconcile ran; it pauses and resumes again', async () => {
    const driver = driverWith({ reconcileAfterMs: 500 });
    const { id, endpoint } = await started(driver, 'thaw-fast');
    const freezer = await freezerOf(id);
    for (let round = 0; round < 2; round++) {
      await driver.pause(id);
      expect(await isFrozen(freezer)).toBe(true);
      expect((await state(id)).Paused).toBe(true);
      expect(await answers(endpoint, 300)).toBe(false);
      const t0 = performance.now();
      await driver.resume(id);
      const resumeMs = performance.now() - t0;
      expect(await isFrozen(freezer)).toBe(false);
      expect(await answers(endpoint, 5_000)).toBe(true);
      // Before the reconcile dockerd still says paused: the thaw did not go through it.
      expect((await state(id)).Paused).toBe(true);
      await vi.waitFor(
        async () => expect(await state(id)).toMatchObject({ Status: 'running', Paused: false }),
        {
          timeout: 30_000,
          interval: 100,
        },
      );
      expect(await isFrozen(freezer)).toBe(false);
      expect(await answers(endpoint, 5_000)).toBe(true);
      process.stdout.write(
        `  round ${round}: resume ${resumeMs.toFixed(2)} ms; reconcile froze it again for ${events.reconciled.at(-1)?.toFixed(0)} ms\n`,
      );
    }
    expect(events.reconciled).toHaveLength(2);
    expect(events.fallback).toEqual([]);
    expect(events.errors).toEqual([]);
  });

  it('a pause before the reconcile is a freezer write (dockerd still says paused); the next resume and reconcile still end running', async () => {
    const driver = driverWith({ reconcileAfterMs: 2_000 });
    const { id, endpoint } = await started(driver, 'thaw-again');
    const freezer = await freezerOf(id);
    await driver.pause(id);
    await driver.resume(id);
    expect(await answers(endpoint, 5_000)).toBe(true);
    await driver.pause(id); // within the 2 s: the reconcile has not run
    expect(await isFrozen(freezer)).toBe(true);
    expect((await state(id)).Paused).toBe(true);
    expect(await answers(endpoint, 300)).toBe(false);
    const before = events.reconciled.length;
    await driver.resume(id);
    expect(await answers(endpoint, 5_000)).toBe(true);
    // dockerd may say running a moment before its unpause call returns to the reconcile.
    await vi.waitFor(() => expect(events.reconciled.length).toBe(before + 1), {
      timeout: 30_000,
      interval: 100,
    });
    expect((await state(id)).Paused).toBe(false);
    expect(await isFrozen(freezer)).toBe(false);
  });

  it('stop of a container thawed through its freezer, its reconcile still pending, is clean and leaves nothing behind', async () => {
    const driver = driverWith({ reconcileAfterMs: 60_000 });
    const { id, endpoint } = await started(driver, 'thaw-stop');
    await driver.pause(id);
    await driver.resume(id);
    expect(await answers(endpoint, 5_000)).toBe(true);
    expect((await state(id)).Paused).toBe(true); // the reconcile is a minute away
    const errors = events.errors.length;
    const t0 = Date.now();
    await driver.stop(id, 10_000);
    const s = await state(id);
    expect(s).toMatchObject({ Running: false, Paused: false });
    expect(Date.now() - t0).toBeLessThan(9_000); // SIGTERM reached it: not the grace period's SIGKILL
    await driver.close(); // nothing left to reconcile: returns at once, no error
    expect(events.errors.length).toBe(errors);
  });

  it('heals a container dockerd calls paused but whose cgroup is thawed (a gateway that ended before its reconcile)', async () => {
    const driver = driverWith({ reconcileAfterMs: 60_000 });
    const { id, endpoint } = await started(driver, 'thaw-heal');
    await docker.getContainer(`silo-${id}`).pause();
    thaw(await freezerOf(id)); // what a fast thaw leaves behind until its reconcile
    await expect(docker.getContainer(`silo-${id}`).unpause()).rejects.toThrow(/not paused/);
    const fresh = driverWith({ reconcileAfterMs: 60_000 }); // the next gateway knows nothing of it
    await fresh.resume(id);
    expect(await state(id)).toMatchObject({ Status: 'running', Paused: false });
    expect(await answers(endpoint, 5_000)).toBe(true);
    await fresh.pause(id);
    await fresh.stop(id, 10_000); // a stop of a paused container thaws it through the engine first
    expect((await state(id)).Running).toBe(false);
  });

  it('falls back to the engine when the freezer cannot be used (a /proc without the pid; SILO_DOCKER_THAW=api), saying why once', async () => {
    const procRoot = mkdtempSync(join(tmpdir(), 'silo-no-proc-'));
    dirs.push(procRoot);
    const seen: string[] = [];
    const driver = driverWith({ procRoot, onFallback: (why) => seen.push(why) });
    const { id, endpoint } = await started(driver, 'thaw-api');
    for (let round = 0; round < 2; round++) {
      await driver.pause(id);
      expect((await state(id)).Paused).toBe(true);
      await driver.resume(id);
      // The engine's unpause: dockerd says running as soon as the resume returns.
      expect(await state(id)).toMatchObject({ Status: 'running', Paused: false });
      expect(await answers(endpoint, 5_000)).toBe(true);
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/cannot read .*\(ENOENT\)/);

    const quiet: string[] = [];
    const api = driverWith({ mode: 'api', onFallback: (why) => quiet.push(why) });
    await api.pause(id);
    await api.resume(id);
    expect(await state(id)).toMatchObject({ Status: 'running', Paused: false });
    expect(await answers(endpoint, 5_000)).toBe(true);
    expect(quiet).toEqual([]); // chosen, not a fallback: nothing to warn about

    // The same engine over TCP (a relay to its socket on 127.0.0.1), as a remote engine is reached.
    const relay = createServer((client) => {
      const upstream = connect('/var/run/docker.sock');
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    try {
      const remote: string[] = [];
      const port = (relay.address() as AddressInfo).port;
      const overTcp = new DockerDriver({
        docker: new Docker({ host: '127.0.0.1', port }),
        image: image!.tag,
        build: false,
        thaw: { onFallback: (why) => remote.push(why) },
      });
      await overTcp.pause(id);
      await overTcp.resume(id);
      await overTcp.close();
      expect(await state(id)).toMatchObject({ Status: 'running', Paused: false });
      expect(remote).toEqual([expect.stringMatching(/the engine is remote \(127\.0\.0\.1\)/)]);
    } finally {
      relay.close();
    }
  });
});
