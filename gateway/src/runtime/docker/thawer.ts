import { existsSync } from 'node:fs';
import type Docker from 'dockerode';
import { statusCode, tolerate } from './engine-errors.js';
import { type Freezer, FreezerUnusable, freeze, isFrozen, resolveFreezer, thaw } from './freezer.js';

/** `SILO_DOCKER_THAW`: `auto` thaws through the cgroup freezer when this host allows it, `api` always asks the engine. */
export type ThawMode = 'auto' | 'api';

export type ThawerOptions = {
  /** @default 'auto' */
  mode?: ThawMode;
  /** Where `/proc` is (tests point it at a tree the freezer cannot use). @default '/proc' */
  procRoot?: string;
  /** Time between a fast thaw and telling dockerd (its `unpause`). @default 1000 */
  reconcileAfterMs?: number;
  /** Told once why the fast thaw is not used (then every resume goes through the engine). */
  onFallback?: (reason: string) => void;
  /** Told of each reconcile done, with how long the container was frozen again for it (ms). */
  onReconciled?: (container: string, frozenMs: number) => void;
  /** Told of a reconcile that failed (it is retried; a stop heals what is left). */
  onReconcileError?: (container: string, err: unknown) => void;
};

/** What this gateway knows of a paused container's freezer. */
type Entry = {
  id: string;
  freezer: Freezer;
  /** Thawed here while dockerd still says `paused`: a reconcile is due. */
  ahead: boolean;
  timer?: NodeJS.Timeout;
  attempts: number;
};

const MAX_RECONCILE_ATTEMPTS = 5;

/**
 * Pause through the engine, resume through the container's cgroup freezer
 * (`freezer.ts`): a write instead of dockerd → containerd → runc. dockerd
 * keeps saying `paused` until the reconcile, `reconcileAfterMs` later: runc
 * refuses to resume a cgroup that is not frozen ("container not paused"), so
 * the reconcile freezes it again for the length of one engine `unpause`
 * (which thaws it and makes dockerd say `running`). Pausing again before the
 * reconcile is a freezer write too (dockerd still says `paused`). Every
 * operation on a container — pause, resume, reconcile, the settle before a
 * stop or remove — runs one after the other (a per-container queue).
 *
 * @example
 * const thawer = new Thawer(docker, { onFallback: (why) => log.warn(why) });
 * await thawer.pause('silo-acme'); await thawer.resume('silo-acme');
 */
export class Thawer {
  readonly #docker: Docker;
  readonly #o: ThawerOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #queues = new Map<string, Promise<unknown>>();
  #warned = false;

  constructor(docker: Docker, options: ThawerOptions = {}) {
    this.#docker = docker;
    this.#o = options;
  }

  /** Why the fast thaw is off for every container, or undefined when it is tried. */
  get disabled(): string | undefined {
    if (this.#o.mode === 'api') return 'SILO_DOCKER_THAW=api';
    const modem = this.#docker.modem as { host?: unknown };
    if (typeof modem.host === 'string' && modem.host !== '')
      return `the engine is remote (${modem.host}): its pids and cgroups are not this host's`;
    return undefined;
  }

  /** Freezes the container: the engine's `pause`, or the freezer when dockerd still says `paused` (thawed here). */
  pause(name: string): Promise<void> {
    return this.#queue(name, async () => {
      const entry = this.#entries.get(name);
      if (entry?.ahead) {
        clearTimeout(entry.timer);
        try {
          await freeze(entry.freezer);
          entry.ahead = false;
          return;
        } catch (err) {
          this.#schedule(name, entry); // still thawed, dockerd still `paused`
          throw err;
        }
      }
      const container = this.#docker.getContainer(name);
      const reason = this.disabled;
      if (reason !== undefined) {
        await container.pause();
        if (this.#o.mode !== 'api') this.#fallback(reason);
      } else if (entry !== undefined && existsSync(entry.freezer.dir)) {
        // Known, and its cgroup still there: the same container (a stopped one's cgroup is removed).
        await container.pause();
        if (!(await isFrozen(entry.freezer).catch(() => false))) this.#entries.delete(name);
      } else {
        // Its pid and id, asked beside the pause (the engine serves both at once): the pause takes no longer.
        const [info] = await Promise.all([container.inspect().catch(() => undefined), container.pause()]);
        if (info !== undefined) await this.#learn(name, info);
      }
    });
  }

  /** Unfreezes the container: a freezer write when it was paused here, else the engine's `unpause`. No error when it is not paused or gone. */
  resume(name: string): Promise<void> {
    return this.#queue(name, async () => {
      const entry = this.#entries.get(name);
      if (entry !== undefined) {
        try {
          thaw(entry.freezer);
          entry.ahead = true;
          entry.attempts = 0;
          this.#schedule(name, entry);
          return;
        } catch (err) {
          // Gone (its cgroup with it) or no longer ours to write: the engine decides.
          this.#entries.delete(name);
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
            this.#fallback(`thaw failed: ${(err as Error).message}`);
        }
      }
      await this.#unpause(name);
    });
  }

  /** Before a stop or remove: the reconcile due now (dockerd then says `running`); forgets the container. */
  settle(name: string): Promise<void> {
    return this.#queue(name, async () => {
      const entry = this.#entries.get(name);
      this.#entries.delete(name);
      if (entry?.ahead) await this.#reconcile(name, entry);
    });
  }

  /** The engine's `unpause`, healing a container dockerd calls paused but nobody froze (see `#heal`). */
  unpause(name: string): Promise<void> {
    return this.#queue(name, () => this.#unpause(name));
  }

  /** Reconciles every container thawed here (the gateway is closing: dockerd's view is left right). */
  async close(): Promise<void> {
    await Promise.all([...this.#entries.keys()].map((name) => this.settle(name).catch(() => undefined)));
  }

  /** After the engine's pause: the container's freezer, if it can be used (it must read frozen now). */
  async #learn(name: string, info: Docker.ContainerInspectInfo): Promise<void> {
    try {
      const freezer = await resolveFreezer(info.State.Pid, info.Id, this.#o.procRoot);
      if (!(await isFrozen(freezer)))
        throw new FreezerUnusable(`${freezer.dir} does not read frozen after the engine's pause`);
      this.#entries.set(name, { id: info.Id, freezer, ahead: false, attempts: 0 });
    } catch (err) {
      // The pause itself is done: whatever went wrong here only means resumes go through the engine.
      this.#entries.delete(name);
      this.#fallback((err as Error).message);
    }
  }

  async #unpause(name: string): Promise<void> {
    try {
      await tolerate([404, 409], () => this.#docker.getContainer(name).unpause());
    } catch (err) {
      if (statusCode(err) !== 500 || !/not paused/i.test(String((err as Error).message))) throw err;
      await this.#heal(name);
    }
  }

  /**
   * dockerd says `paused`, runc finds the cgroup thawed (a gateway ended
   * between a fast thaw and its reconcile): freeze it, so that the engine's
   * `unpause` can thaw it and dockerd says `running` again.
   */
  async #heal(name: string): Promise<void> {
    const info = await this.#docker.getContainer(name).inspect();
    const freezer = await resolveFreezer(info.State.Pid, info.Id, this.#o.procRoot);
    await this.#reconcile(name, { id: info.Id, freezer, ahead: true, attempts: 0 });
  }

  /** Freezes the cgroup again and has the engine unpause it (dockerd then says `running`); always leaves it thawed. */
  async #reconcile(name: string, entry: Entry): Promise<void> {
    clearTimeout(entry.timer);
    try {
      const frozenAt = performance.now();
      await freeze(entry.freezer);
      await tolerate([404, 409], () => this.#docker.getContainer(entry.id).unpause());
      entry.ahead = false;
      this.#o.onReconciled?.(name, performance.now() - frozenAt);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        entry.ahead = false; // the container and its cgroup are gone: nothing to tell dockerd
        return;
      }
      throw err;
    } finally {
      try {
        thaw(entry.freezer); // never left frozen (a no-op after the engine's unpause)
      } catch {
        // gone with its container
      }
    }
  }

  /** The reconcile `reconcileAfterMs` from now (retried a few times, then left to the next stop). */
  #schedule(name: string, entry: Entry): void {
    clearTimeout(entry.timer);
    if (entry.attempts >= MAX_RECONCILE_ATTEMPTS) return;
    const delay = (this.#o.reconcileAfterMs ?? 1_000) * 2 ** entry.attempts;
    entry.timer = setTimeout(() => {
      void this.#queue(name, async () => {
        if (this.#entries.get(name) !== entry || !entry.ahead) return;
        entry.attempts++;
        await this.#reconcile(name, entry);
      }).catch((err: unknown) => {
        this.#o.onReconcileError?.(name, err);
        if (this.#entries.get(name) === entry && entry.ahead) this.#schedule(name, entry);
      });
    }, delay);
    entry.timer.unref();
  }

  #fallback(reason: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#o.onFallback?.(reason);
  }

  /** Runs `fn` after everything queued for `name` (errors stay with their caller). */
  #queue<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(name) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.#queues.set(name, settled);
    void settled.then(() => {
      if (this.#queues.get(name) === settled) this.#queues.delete(name);
    });
    return next;
  }
}
