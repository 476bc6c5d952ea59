import type Docker from 'dockerode';
import type { RuntimeEvent } from '../runtime-driver.js';
import { describeExit } from './container-status.js';
import { LABELS } from './scope.js';

/**
 * Follows the engine's event stream for Silo's containers, so that a
 * container that dies is noticed at once, not at the next request. When the
 * stream breaks (engine restart, socket closed) it reconnects with
 * exponential back-off, asks for the events it missed (`since`), and emits
 * `engine:reconnected` so that the consumer reconciles again.
 */

/** Typed events (`noun:verb`, STYLE.md rule 15). */
export type DockerEventMap = {
  /** A managed container stopped running: crashed, killed, OOM, or stopped by us (`expected`). */
  'instance:died': {
    tenantId: string;
    containerId: string;
    exitCode: number | undefined;
    /** The driver stopped or removed it itself. */
    expected: boolean;
    at: Date;
  };
  /** A managed container started (by us, or by someone with the CLI). */
  'instance:started': { tenantId: string; containerId: string; at: Date };
  /** The kernel killed a process of the container for memory (a `die` follows). */
  'instance:oom': { tenantId: string; containerId: string; at: Date };
  /** The event stream broke; a reconnect is scheduled. */
  'engine:disconnected': { reason: string; retryInMs: number };
  /** The stream is back after a break: reconcile, the state may have moved meanwhile. */
  'engine:reconnected': { downForMs: number };
};
export type DockerEventName = keyof DockerEventMap;
type Listener<K extends DockerEventName> = (event: DockerEventMap[K]) => void;

export type DockerEventsOptions = {
  /** Whether the driver itself stopped this container (marks `instance:died` as expected). @default never */
  expected?: (containerId: string) => boolean;
  /** Whether a container (by its labels) is this driver's: its scope (`scope.ts`). @default every managed one */
  owns?: (labels: Record<string, string>) => boolean;
  /** First reconnect delay. @default 250 */
  initialBackoffMs?: number;
  /** Cap on the reconnect delay. @default 15000 */
  maxBackoffMs?: number;
};

/** One JSON line of `GET /events`. */
type EngineEvent = {
  Type?: string;
  Action?: string;
  id?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
};

/**
 * @example
 * const events = new DockerEvents(docker);
 * events.on('instance:died', (e) => manager.noticeDeath(e.tenantId, e.exitCode));
 * events.on('engine:reconnected', () => reconcile());
 * events.start();
 */
export class DockerEvents {
  readonly #docker: Docker;
  readonly #options: DockerEventsOptions;
  readonly #listeners = new Map<DockerEventName, Set<(event: never) => void>>();
  #stream: NodeJS.ReadableStream | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = true;
  #backoffMs: number;
  #downSince: number | undefined;
  /** Seconds since epoch of the last event seen: where a reconnect resumes. */
  #lastSeen: number | undefined;
  readonly #seen = new Set<string>();

  constructor(docker: Docker, options: DockerEventsOptions = {}) {
    this.#docker = docker;
    this.#options = options;
    this.#backoffMs = options.initialBackoffMs ?? 250;
  }

  on<K extends DockerEventName>(name: K, listener: Listener<K>): () => void {
    const set = this.#listeners.get(name) ?? new Set();
    this.#listeners.set(name, set);
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  #emit<K extends DockerEventName>(name: K, event: DockerEventMap[K]): void {
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        (listener as Listener<K>)(event);
      } catch {
        // A listener's failure must not stop the stream for the others.
      }
    }
  }

  /** Starts following; resolves once the stream is open (or a reconnect is scheduled). */
  async start(): Promise<void> {
    if (!this.#closed) return;
    this.#closed = false;
    await this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const stream = this.#stream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    this.#stream = undefined;
    stream?.removeAllListeners();
    stream?.destroy?.();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    try {
      const stream = await this.#docker.getEvents({
        ...(this.#lastSeen !== undefined ? { since: this.#lastSeen } : {}),
        filters: {
          type: ['container'],
          label: [`${LABELS.managed}=true`],
          event: ['start', 'die', 'oom'],
        },
      });
      if (this.#closed) {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        return;
      }
      this.#stream = stream;
      this.#backoffMs = this.#options.initialBackoffMs ?? 250;
      if (this.#downSince !== undefined) {
        this.#emit('engine:reconnected', { downForMs: Date.now() - this.#downSince });
        this.#downSince = undefined;
      }
      let buffer = '';
      stream.on('data', (chunk: Buffer | string) => {
        buffer += chunk.toString();
        let at = buffer.indexOf('\n');
        while (at >= 0) {
          this.#line(buffer.slice(0, at));
          buffer = buffer.slice(at + 1);
          at = buffer.indexOf('\n');
        }
      });
      stream.once('error', (err: Error) => this.#broken(err.message));
      stream.once('end', () => this.#broken('the engine closed the event stream'));
      stream.once('close', () => this.#broken('the event stream closed'));
    } catch (err) {
      this.#broken((err as Error).message);
    }
  }

  #broken(reason: string): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#stream?.removeAllListeners();
    this.#stream = undefined;
    this.#downSince ??= Date.now();
    const retryInMs = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.maxBackoffMs ?? 15_000);
    this.#emit('engine:disconnected', { reason, retryInMs });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, retryInMs);
  }

  #line(text: string): void {
    let event: EngineEvent;
    try {
      event = JSON.parse(text) as EngineEvent;
    } catch {
      return;
    }
    const containerId = event.Actor?.ID ?? event.id;
    const attributes = event.Actor?.Attributes ?? {};
    const tenantId = attributes[LABELS.tenant];
    if (event.Type !== 'container' || !containerId || !tenantId) return;
    if (this.#options.owns && !this.#options.owns(attributes)) return;
    // A reconnect asks `since` the last second seen: drop what was already delivered.
    const key = `${event.timeNano ?? event.time}:${containerId}:${event.Action}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    if (this.#seen.size > 1000) this.#seen.delete(this.#seen.values().next().value as string);
    if (event.time !== undefined) this.#lastSeen = event.time;
    const at = event.time !== undefined ? new Date(event.time * 1000) : new Date();
    if (event.Action === 'die') {
      const code = Number(attributes.exitCode);
      this.#emit('instance:died', {
        tenantId,
        containerId,
        exitCode: Number.isFinite(code) ? code : undefined,
        expected: this.#options.expected?.(containerId) ?? false,
        at,
      });
    } else if (event.Action === 'start') {
      this.#emit('instance:started', { tenantId, containerId, at });
    } else if (event.Action === 'oom') {
      this.#emit('instance:oom', { tenantId, containerId, at });
    }
  }
}

/**
 * The runtime's events (`RuntimeEvent`) out of the engine's: deaths the
 * driver did not cause, with the reason (exit code, killed, OOM), and engine
 * reconnects. Returns the function that stops listening.
 *
 * @example
 * const off = watchRuntimeEvents(driver.events(), (e) => manager.notice(e));
 */
export function watchRuntimeEvents(
  events: DockerEvents,
  listener: (event: RuntimeEvent) => void,
): () => void {
  /** Containers the kernel OOM-killed (the `oom` event comes before `die`). */
  const oomKilled = new Set<string>();
  const offs = [
    events.on('instance:oom', (e) => {
      oomKilled.add(e.containerId);
    }),
    events.on('instance:died', (e) => {
      const oom = oomKilled.delete(e.containerId);
      if (e.expected) return;
      listener({
        type: 'instance:exited',
        tenantId: e.tenantId,
        ref: e.containerId,
        exitCode: e.exitCode,
        reason: `container ${e.containerId.slice(0, 12)} died: ${describeExit(e.exitCode, oom)}`,
        at: e.at,
      });
    }),
    events.on('engine:reconnected', (e) => listener({ type: 'runtime:reconnected', downForMs: e.downForMs })),
  ];
  return () => {
    for (const off of offs) off();
  };
}
