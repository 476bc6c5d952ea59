import type { Logger } from 'pino';
import type { Flow } from '../flow/flow-model.js';
import type { Clock } from '../ports/clock.js';
import type { Scheduler, TickResult } from '../scheduler/scheduler.js';

export type ScheduleRunnerOptions = {
  scheduler: Scheduler;
  /** The live flows with a Schedule trigger. */
  flows(): Flow[];
  /** Changes whenever flows change (re-tick when it does). */
  signature(): string;
  logger: Logger;
  /** Longest sleep between ticks, so that a newly saved schedule is seen. @default 30000 */
  maxSleepMs?: number;
  clock: Clock;
};

/**
 * Runs the Scheduler in the instance: one tick at start (which applies
 * `recoverMissedSchedules` to the fires missed while the instance was
 * stopped), then one `setTimeout` on the next fire (bounded by
 * `maxSleepMs`), re-armed after each tick. A change of flows re-ticks.
 * `nextWakeAt()` feeds the lifecycle report, so the gateway wakes a
 * stopped instance before its next fire.
 */
export class ScheduleRunner {
  private timer: NodeJS.Timeout | undefined;
  private next: Date | null = null;
  private lastSignature = '';
  private stopped = true;

  constructor(private readonly o: ScheduleRunnerOptions) {}

  start(): void {
    this.stopped = false;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The next schedule fire (after a re-tick if flows changed since the last one). */
  nextWakeAt(): Date | null {
    if (!this.stopped && this.o.signature() !== this.lastSignature) this.tick();
    return this.next;
  }

  /** Fires what is due, then re-arms. Never throws. */
  tick(): TickResult | undefined {
    if (this.stopped) return undefined;
    let result: TickResult | undefined;
    try {
      this.lastSignature = this.o.signature();
      result = this.o.scheduler.tick(this.o.flows());
      for (const f of result.fires) {
        if (f.created)
          this.o.logger.info(
            { trigger: f.key, fireDate: f.fireDate, executionId: f.executionId },
            'schedule fired',
          );
      }
      for (const e of result.errors)
        this.o.logger.warn({ trigger: e.key, reason: e.message }, 'schedule not evaluated');
      this.next = result.nextWakeAt;
    } catch (err) {
      this.o.logger.error({ err }, 'scheduler tick failed');
    }
    this.arm();
    return result;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.stopped) return;
    const max = this.o.maxSleepMs ?? 30_000;
    const wait =
      this.next === null
        ? max
        : Math.min(max, Math.max(0, this.next.getTime() - this.o.clock.now().getTime()));
    this.timer = setTimeout(() => this.tick(), wait);
    this.timer.unref();
  }
}
