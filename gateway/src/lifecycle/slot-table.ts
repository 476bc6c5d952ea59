import type { LifecycleReport } from '@silo/contracts';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { Endpoint } from '../runtime/runtime-driver.js';
import { assertTransition, type InstanceState } from './instance-state.js';

/** One tenant's instance as the lifecycle tracks it. */
export type Slot = {
  tenantId: string;
  state: InstanceState;
  endpoint?: Endpoint;
  token?: string;
  ref?: string;
  startedAt?: number;
  lastActivity: number;
  /** Requests (and streams, and WebSockets) proxied right now. */
  inflight: number;
  /** Requests waiting for the current start. */
  held: number;
  /** Keyless (webhook) requests waiting for the current start, bounded apart (`keylessHoldMax`). */
  heldKeyless: number;
  start?: Promise<void>;
  /** Set when a stop is committed (no longer cancellable): requests wait for it, then start again. */
  stopping?: Promise<void>;
  /** A pause or resume of the driver under way (they run one after the other). */
  freezing?: Promise<void>;
  /** The resume under way, which requests join (single flight). */
  resuming?: Promise<void>;
  /** Cancels an idle drain that has not been committed yet. */
  cancelDrain?: () => void;
  failures: number;
  /** Unexpected deaths in a row, each soon after its start (crash-loop detection). */
  quickDeaths: number;
  backoffUntil: number;
  /** This gateway's last error for the instance (the registry keeps the fleet's: `InstanceFacts.lastError`). */
  lastError: string | null;
  /** Duration of the last successful cold start, read from the registry at start (for `Retry-After`). */
  lastStartMs?: number | null;
  lastReport?: LifecycleReport;
  /** The run belongs to another gateway of the fleet: this one proxies to it but never stops it. */
  remote?: boolean;
};

export type SlotTableOptions = {
  metrics: GatewayMetrics;
  logger: Logger;
  now: () => number;
};

/**
 * The per-tenant slots every part of the lifecycle shares, and the one place
 * their state changes (checked against `TRANSITIONS`, logged, and counted in
 * the running-instances gauge).
 *
 * @example
 * const slot = slots.ensure('acme'); // stopped
 * slots.move(slot, 'starting');
 */
export class SlotTable {
  readonly #o: SlotTableOptions;
  readonly #slots = new Map<string, Slot>();
  /** Slots per state, kept on every change: the gauges cost O(1) per move, not a pass over every tenant. */
  readonly #counts = new Map<InstanceState, number>();

  constructor(options: SlotTableOptions) {
    this.#o = options;
  }

  get(tenantId: string): Slot | undefined {
    return this.#slots.get(tenantId);
  }

  /** The tenant's slot, created `stopped` on first use (the admin view adds the registry's facts). */
  ensure(tenantId: string): Slot {
    let slot = this.#slots.get(tenantId);
    if (slot === undefined) {
      slot = {
        tenantId,
        state: 'stopped',
        lastActivity: this.#o.now(),
        inflight: 0,
        held: 0,
        heldKeyless: 0,
        failures: 0,
        quickDeaths: 0,
        backoffUntil: 0,
        lastError: null,
      };
      this.#slots.set(tenantId, slot);
      this.#count(slot.state, 1);
    }
    return slot;
  }

  delete(tenantId: string): void {
    const slot = this.#slots.get(tenantId);
    if (slot === undefined) return;
    this.#slots.delete(tenantId);
    this.#count(slot.state, -1);
    this.#gauges();
  }

  all(): Slot[] {
    return [...this.#slots.values()];
  }

  ids(): string[] {
    return [...this.#slots.keys()];
  }

  /** Moves a slot to `to`; throws `IllegalTransitionError` on a move `TRANSITIONS` does not allow. */
  move(slot: Slot, to: InstanceState): void {
    assertTransition(slot.tenantId, slot.state, to);
    this.#o.logger.debug({ tenantId: slot.tenantId, from: slot.state, to }, 'instance:state');
    this.#count(slot.state, -1);
    slot.state = to;
    this.#count(to, 1);
    this.#gauges();
  }

  /** How many slots are in `state` now. */
  count(state: InstanceState): number {
    return this.#counts.get(state) ?? 0;
  }

  #count(state: InstanceState, delta: number): void {
    this.#counts.set(state, (this.#counts.get(state) ?? 0) + delta);
  }

  #gauges(): void {
    this.#o.metrics.runningInstances.set(this.count('running') + this.count('draining'));
    this.#o.metrics.pausedInstances.set(this.count('paused'));
  }
}

/** Running, paused or draining, and no stop by the gateway under way. */
export function isLive(slot: Slot): boolean {
  return (
    (slot.state === 'running' || slot.state === 'paused' || slot.state === 'draining') &&
    slot.stopping === undefined
  );
}

/** Forgets the run the slot pointed to (its endpoint, token and ref). */
export function clearRun(slot: Slot): void {
  slot.remote = undefined;
  slot.endpoint = undefined;
  slot.token = undefined;
  slot.ref = undefined;
}

/** Reads the state without TypeScript's narrowing (it changes across awaits and callbacks). */
export function stateOf(slot: { state: InstanceState }): InstanceState {
  return slot.state;
}
