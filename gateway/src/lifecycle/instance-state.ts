/**
 * The state of a tenant's instance as the gateway sees it (DESIGN.md, "Tenant
 * lifecycle in the gateway"); the `instance.state` of the admin API.
 */
export type InstanceState =
  /** Nothing runs; the next request (or a wake timer) starts it. */
  | 'stopped'
  /** A cold start is in flight; requests are held until it is ready. */
  | 'starting'
  /** Ready and serving. */
  | 'running'
  /**
   * Idle for the pause delay (SILO_PAUSE_AFTER): frozen (Docker pause, the
   * process group stopped), its memory kept, using no CPU. A request, a
   * stream or a due wake time resumes it in milliseconds; the idle timeout
   * stops it; it is the first evicted under SILO_MAX_RUNNING.
   */
  | 'paused'
  /** On its way to stopped: idle drain (cancelled by new traffic) or a committed stop. */
  | 'draining'
  /** Failed to start or crashed; in back-off until the breaker lets a new start through. */
  | 'failing';

export const INSTANCE_STATES: readonly InstanceState[] = [
  'stopped',
  'starting',
  'running',
  'paused',
  'draining',
  'failing',
];

/** Every allowed move. Anything else is a bug and throws `IllegalTransitionError`. */
export const TRANSITIONS: Readonly<Record<InstanceState, readonly InstanceState[]>> = {
  stopped: ['starting'],
  starting: ['running', 'failing', 'draining'],
  // running → stopped: it died on its own (crash, kill, OOM) after a healthy run; the next request starts it.
  running: ['draining', 'failing', 'stopped', 'paused'],
  // paused → draining: evicted or stopped by hand; → stopped / failing: it died while frozen.
  paused: ['running', 'draining', 'stopped', 'failing'],
  draining: ['running', 'stopped', 'failing'],
  failing: ['starting', 'stopped'],
};

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly tenantId: string,
    readonly from: InstanceState,
    readonly to: InstanceState,
  ) {
    super(
      `instance of ${tenantId}: illegal transition ${from} → ${to} (allowed from ${from}: ${TRANSITIONS[from].join(', ') || 'none'})`,
    );
  }
}

/**
 * Throws unless `from → to` is in `TRANSITIONS`.
 *
 * @example
 * assertTransition('acme', 'stopped', 'starting'); // ok
 * assertTransition('acme', 'stopped', 'running');  // IllegalTransitionError
 */
export function assertTransition(tenantId: string, from: InstanceState, to: InstanceState): void {
  if (!TRANSITIONS[from].includes(to)) throw new IllegalTransitionError(tenantId, from, to);
}

/**
 * Back-off after `failures` consecutive failed starts or crashes: 1 s, 2 s,
 * 4 s … capped at `maxMs`.
 *
 * @example
 * backoffMs(3); // 4000
 */
export function backoffMs(failures: number, baseMs = 1_000, maxMs = 300_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
}
