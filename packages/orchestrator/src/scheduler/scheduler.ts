import type { Flow, Trigger } from '../flow/flow-model.js';
import type { Clock } from '../ports/clock.js';
import type { TriggerKey, TriggerState, TriggerStateRepository } from '../ports/trigger-state.js';
import { parseSchedule, SCHEDULE_TRIGGER_TYPE, type Schedule, type ScheduleDefaults } from './schedule.js';

/** What the scheduler asks the engine to start for one fire. */
export type FireRequest = {
  key: TriggerKey;
  flow: Flow;
  trigger: Trigger;
  fireDate: Date;
  /** The execution's `trigger` variables: `date`, `next`, `previous` (ISO-8601 in the trigger's zone). */
  variables: { date: string; next: string | null; previous: string | null };
  /** The trigger's `inputs` (unrendered). */
  inputs: Record<string, unknown>;
};

/** One fire handled by a tick. `created: false` means it had already been recorded (no new execution). */
export type FireOutcome = { key: TriggerKey; fireDate: Date; executionId: string; created: boolean };

export type TickResult = {
  fires: FireOutcome[];
  /** Triggers that could not be evaluated (bad cron, failing createExecution), each with its reason. */
  errors: Array<{ key: TriggerKey; message: string }>;
  /** The earliest next fire of any enabled schedule; `null` when none will fire. */
  nextWakeAt: Date | null;
};

export type SchedulerOptions = {
  repository: TriggerStateRepository;
  clock: Clock;
  /**
   * Creates the execution of one fire and returns its id. Synchronous on
   * purpose: it runs inside the transaction that records the fire, so a crash
   * can never leave a fire recorded without its execution, or an execution
   * without its record (write the execution to the same SQLite database).
   */
  createExecution(request: FireRequest): string;
  /** A fire older than this when evaluated counts as missed (subject to `recoverMissedSchedules`). @default 60000 */
  missedAfterMs?: number;
  /** Bound on the fires one trigger gets in one tick (`ALL` after a long stop); the rest come in the next ticks. @default 1000 */
  maxFiresPerTick?: number;
  /** The trigger's conditions for one fire; false skips the fire (no execution). @default every fire runs */
  shouldFire?(request: FireRequest): boolean;
  /** Defaults of Schedule properties (timezone, recoverMissedSchedules). */
  scheduleDefaults?: ScheduleDefaults;
};

/**
 * Evaluates the Schedule triggers of the current flows against an injected
 * clock, records each fire idempotently (flow, trigger, fire time) and asks
 * `createExecution` to start it; reports when it next needs to run. It owns
 * no timer: the caller ticks it (at `nextWakeAt`, after a flow change, at
 * start) — which is what lets a stopped instance be woken on time.
 *
 * Missed fires (older than `missedAfterMs`, e.g. the instance was stopped):
 * `ALL` starts every one, oldest first; `LAST` only the most recent; `NONE`
 * none. A trigger seen for the first time, re-enabled, or whose cron changed
 * starts from now (it does not fire the past) — except for the fires of its
 * `backfill` (from `start` to `end` or now), started then, oldest first.
 *
 * @example
 * const scheduler = new Scheduler({ repository, clock: systemClock, createExecution: (r) => engine.startFromTrigger(r) });
 * const { nextWakeAt } = scheduler.tick(flowRegistry.all());
 */
export class Scheduler {
  private readonly missedAfterMs: number;
  private readonly maxFiresPerTick: number;

  constructor(private readonly options: SchedulerOptions) {
    this.missedAfterMs = options.missedAfterMs ?? 60_000;
    this.maxFiresPerTick = options.maxFiresPerTick ?? 1000;
  }

  /** Fires what is due now among `flows`, then reports the next wake-up. */
  tick(flows: readonly Flow[]): TickResult {
    const now = this.options.clock.now();
    const result: TickResult = { fires: [], errors: [], nextWakeAt: null };
    for (const { flow, trigger, key } of scheduleTriggers(flows)) {
      let schedule: Schedule;
      try {
        schedule = parseSchedule(trigger, this.options.scheduleDefaults);
      } catch (err) {
        result.errors.push({ key, message: (err as Error).message });
        continue;
      }
      const next = this.evaluate(flow, trigger, key, schedule, now, result);
      if (next !== undefined && (result.nextWakeAt === null || next < result.nextWakeAt))
        result.nextWakeAt = next;
    }
    return result;
  }

  /** The earliest next fire among `flows` without firing anything (for the lifecycle report). */
  nextWakeAt(flows: readonly Flow[]): Date | null {
    const now = this.options.clock.now();
    let earliest: Date | null = null;
    for (const { trigger, key } of scheduleTriggers(flows)) {
      let schedule: Schedule;
      try {
        schedule = parseSchedule(trigger, this.options.scheduleDefaults);
      } catch {
        continue;
      }
      const state = this.options.repository.get(key);
      if (state?.disabled) continue;
      const next =
        state?.nextFireAt && state.fingerprint === schedule.fingerprint
          ? new Date(state.nextFireAt)
          : schedule.nextFireAfter(now);
      if (next !== undefined && (earliest === null || next < earliest)) earliest = next;
    }
    return earliest;
  }

  /**
   * Applies `stopAfter`: when an execution started by `triggerId` of `flow`
   * ends in one of the listed states, the trigger disables itself. Returns
   * whether it did.
   */
  onExecutionEnded(flow: Flow, triggerId: string, state: string): boolean {
    const trigger = flow.triggers.find((t) => t.id === triggerId && t.type === SCHEDULE_TRIGGER_TYPE);
    if (trigger === undefined) return false;
    const schedule = parseSchedule(trigger, this.options.scheduleDefaults);
    if (!schedule.spec.stopAfter.includes(state)) return false;
    this.setDisabled({ namespace: flow.namespace, flowId: flow.id, triggerId }, true);
    return true;
  }

  /** Disables or re-enables a trigger by hand; re-enabling starts from now (fires missed while disabled are skipped). */
  setDisabled(key: TriggerKey, disabled: boolean): void {
    const state = this.options.repository.get(key);
    this.options.repository.save({
      ...key,
      fingerprint: state?.fingerprint ?? '',
      lastFireAt: state?.lastFireAt ?? null,
      // No next fire: the first tick after re-enabling computes it from its own now.
      nextFireAt: disabled ? (state?.nextFireAt ?? null) : null,
      disabled,
      updatedAt: this.options.clock.now().toISOString(),
    });
  }

  /** Evaluates one trigger; returns its next fire (undefined: none, or disabled). */
  private evaluate(
    flow: Flow,
    trigger: Trigger,
    key: TriggerKey,
    schedule: Schedule,
    now: Date,
    result: TickResult,
  ): Date | undefined {
    const { repository } = this.options;
    const state = repository.get(key);
    if (state?.disabled) return undefined;
    const save = (patch: Partial<TriggerState>) =>
      repository.save({
        ...key,
        fingerprint: schedule.fingerprint,
        lastFireAt: state?.lastFireAt ?? null,
        nextFireAt: null,
        disabled: false,
        updatedAt: now.toISOString(),
        ...patch,
      });

    const changed = state === undefined || state.fingerprint !== schedule.fingerprint;
    if (changed || state.nextFireAt === null) {
      // A new or changed `backfill` starts its past fires once, here (each recorded, so never twice).
      const bf = changed ? schedule.spec.backfill : undefined;
      const to = bf && (bf.end && bf.end < now ? bf.end : now);
      const past =
        bf && to ? schedule.firesBetween(new Date(bf.start.getTime() - 1), to, this.maxFiresPerTick) : [];
      const failed = this.fire(past, flow, trigger, key, schedule, now, result, state?.lastFireAt ?? null);
      if (failed) {
        save({ fingerprint: state?.fingerprint ?? '', nextFireAt: null });
        return failed.at;
      }
      const next = schedule.nextFireAfter(now);
      save({
        nextFireAt: next?.toISOString() ?? null,
        lastFireAt: past.at(-1)?.toISOString() ?? state?.lastFireAt ?? null,
      });
      return next;
    }
    const due = new Date(state.nextFireAt);
    if (due > now) return due;

    const { fires, resumeAfter } = this.selectFires(schedule, due, now);
    const failed = this.fire(fires, flow, trigger, key, schedule, now, result, state.lastFireAt);
    if (failed) {
      save({ lastFireAt: failed.lastFireAt, nextFireAt: failed.at.toISOString() });
      return failed.at;
    }
    const next = schedule.nextFireAfter(resumeAfter);
    save({
      lastFireAt: fires.at(-1)?.toISOString() ?? state.lastFireAt,
      nextFireAt: next?.toISOString() ?? null,
    });
    return next;
  }

  /**
   * Starts `fires` in order (conditions checked, each recorded once); stops at
   * the first that fails, answering it and the last fire done before it.
   */
  private fire(
    fires: readonly Date[],
    flow: Flow,
    trigger: Trigger,
    key: TriggerKey,
    schedule: Schedule,
    now: Date,
    result: TickResult,
    lastBefore: string | null,
  ): { at: Date; lastFireAt: string | null } | undefined {
    const { repository } = this.options;
    let lastFireAt = lastBefore;
    for (const fireDate of fires) {
      try {
        const request: FireRequest = {
          key,
          flow,
          trigger,
          fireDate,
          variables: schedule.triggerVariables(fireDate),
          inputs: schedule.spec.inputs,
        };
        // Schedule conditions (DayWeek, TimeBetween...) that reject a fire: no execution, no retry.
        if (this.options.shouldFire && !this.options.shouldFire(request)) {
          lastFireAt = fireDate.toISOString();
          continue;
        }
        const record = repository.recordFire(
          key,
          fireDate.toISOString(),
          () => this.options.createExecution(request),
          now.toISOString(),
        );
        result.fires.push({ key, fireDate, ...record });
        lastFireAt = fireDate.toISOString();
      } catch (err) {
        // Not recorded: the same fire is tried again at the next tick.
        result.errors.push({
          key,
          message: `fire of ${fireDate.toISOString()} failed: ${(err as Error).message}`,
        });
        return { at: fireDate, lastFireAt };
      }
    }
    return undefined;
  }

  /**
   * The fires to start among those due from `due` (inclusive: it was computed
   * as a fire, possibly shifted by a DST gap) to `now`, by
   * `recoverMissedSchedules` and `lateMaximumDelay`.
   */
  private selectFires(schedule: Schedule, due: Date, now: Date): { fires: Date[]; resumeAfter: Date } {
    const missedBefore = new Date(now.getTime() - this.missedAfterMs);
    const max = this.maxFiresPerTick;
    let fires: Date[];
    let resumeAfter = now;
    switch (schedule.spec.recoverMissedSchedules) {
      case 'ALL':
        fires = [due, ...schedule.firesBetween(due, now, max - 1)];
        if (fires.length === max) resumeAfter = fires[fires.length - 1]!;
        break;
      case 'LAST': {
        const last = schedule.previousFireBefore(new Date(now.getTime() + 1));
        fires = [last !== undefined && last > due ? last : due];
        break;
      }
      case 'NONE':
        fires =
          due >= missedBefore
            ? [due, ...schedule.firesBetween(due, now, max - 1)]
            : schedule.firesBetween(missedBefore, now, max);
        break;
    }
    const late = schedule.spec.lateMaximumDelayMs;
    if (late !== undefined) fires = fires.filter((f) => now.getTime() - f.getTime() <= late);
    return { fires, resumeAfter };
  }
}

function* scheduleTriggers(
  flows: readonly Flow[],
): Generator<{ flow: Flow; trigger: Trigger; key: TriggerKey }> {
  for (const flow of flows) {
    if (flow.disabled) continue;
    for (const trigger of flow.triggers) {
      if (trigger.type !== SCHEDULE_TRIGGER_TYPE || trigger.disabled) continue;
      yield { flow, trigger, key: { namespace: flow.namespace, flowId: flow.id, triggerId: trigger.id } };
    }
  }
}
