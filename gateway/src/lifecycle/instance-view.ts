import type { InstanceFacts } from '../tenants/instance-fact-store.js';
import type { WakeTimer } from '../tenants/wake-timer-store.js';
import type { InstanceState } from './instance-state.js';
import type { Slot } from './slot-table.js';

/** What the admin API shows of an instance. */
export type InstanceView = {
  state: InstanceState;
  startedAt: string | null;
  lastActivityAt: string | null;
  coldStarts: number;
  nextWakeAt: string | null;
  nextWakeReason: string | null;
  lastError: string | null;
  inflight: number;
  ref: string | null;
  backoffUntil: string | null;
  busy: boolean | null;
};

/**
 * The admin view of an instance: the live slot where there is one, the
 * registry's stored facts otherwise.
 *
 * @example
 * viewOf(slots.get('acme'), await registry.instances.get('acme'), undefined).state; // 'running'
 */
export function viewOf(
  slot: Slot | undefined,
  info: InstanceFacts,
  wake: WakeTimer | undefined,
): InstanceView {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    state: slot?.state ?? 'stopped',
    startedAt: slot?.state === 'running' || slot?.state === 'draining' ? iso(slot.startedAt) : null,
    lastActivityAt: slot ? iso(slot.lastActivity) : info.lastActivityAt,
    coldStarts: info.coldStarts,
    nextWakeAt: wake?.at ?? null,
    nextWakeReason: wake?.reason ?? null,
    lastError: slot?.lastError ?? info.lastError,
    inflight: slot?.inflight ?? 0,
    ref: slot?.ref ?? null,
    backoffUntil: slot?.state === 'failing' ? iso(slot.backoffUntil) : null,
    busy: slot?.lastReport?.busy ?? null,
  };
}
