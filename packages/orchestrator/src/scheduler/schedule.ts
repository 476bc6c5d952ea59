import { Cron } from 'croner';
import type { Trigger } from '../flow/flow-model.js';
import { parseIsoDuration } from '../flow/iso-duration.js';

export const SCHEDULE_TRIGGER_TYPE = 'io.kestra.plugin.core.trigger.Schedule';

/** What to do with fires that were due while the instance was stopped (Kestra's `RecoverMissedSchedules`). */
export type RecoverMissedSchedules = 'ALL' | 'LAST' | 'NONE';

/** A Schedule trigger property that cannot work; `path` names the property (`triggers[id].cron`). */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  constructor(
    readonly triggerId: string,
    readonly property: string,
    message: string,
  ) {
    super(`Trigger '${triggerId}': ${message}`);
  }
}

/** The parsed properties of one Schedule trigger. */
export type ScheduleSpec = {
  triggerId: string;
  /** As written (a nickname stays a nickname). */
  cron: string;
  withSeconds: boolean;
  /** IANA zone the cron is read in. */
  timezone: string;
  /** Execution states after which the trigger disables itself. */
  stopAfter: string[];
  recoverMissedSchedules: RecoverMissedSchedules;
  /** Inputs of the executions it starts (templates unrendered). */
  inputs: Record<string, unknown>;
  disabled: boolean;
  /** A fire later than this after its time is skipped (Kestra `lateMaximumDelay`). */
  lateMaximumDelayMs?: number;
  /** Kestra's `backfill`: the past fires from `start` (to `end`, else to now) are started once. */
  backfill?: { start: Date; end?: Date };
};

/** Kestra's (cron-utils) nicknames; croner knows all but `@midnight`. */
const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export type ScheduleDefaults = {
  /** Zone of a trigger without `timezone` (Kestra: the server's zone). @default 'UTC' */
  timezone?: string;
  /** Kestra's global default. @default 'ALL' */
  recoverMissedSchedules?: RecoverMissedSchedules;
};

/**
 * Reads a Schedule trigger's properties: `cron` (5 fields, or 6 with
 * `withSeconds: true`, or a nickname `@hourly` `@daily` `@midnight` `@weekly`
 * `@monthly` `@yearly` `@annually`), `timezone`, `stopAfter`,
 * `recoverMissedSchedules`, `inputs`, `lateMaximumDelay`. Throws
 * `ScheduleError` naming the property; call it when a flow is saved.
 *
 * @example
 * const schedule = parseSchedule({ id: 'daily', type: SCHEDULE_TRIGGER_TYPE, disabled: false, conditions: [], props: { cron: '0 9 * * 1-5', timezone: 'Europe/Paris' } });
 * schedule.nextFireAfter(new Date('2025-01-06T07:59:00Z')); // 2025-01-06T08:00:00.000Z
 */
export function parseSchedule(trigger: Trigger, defaults: ScheduleDefaults = {}): Schedule {
  const p = trigger.props;
  const id = trigger.id;
  if (typeof p.cron !== 'string' || p.cron.trim() === '') {
    throw new ScheduleError(id, 'cron', "property 'cron' is required (e.g. '0 9 * * *' or '@daily')");
  }
  const cron = p.cron.trim();
  const withSeconds = p.withSeconds === true || p.withSeconds === 'true';
  const timezone =
    typeof p.timezone === 'string' && p.timezone !== '' ? p.timezone : (defaults.timezone ?? 'UTC');
  if (!isValidTimeZone(timezone)) {
    throw new ScheduleError(
      id,
      'timezone',
      `invalid timezone '${timezone}' (expected an IANA zone such as Europe/Paris)`,
    );
  }
  const recover = p.recoverMissedSchedules ?? defaults.recoverMissedSchedules ?? 'ALL';
  if (recover !== 'ALL' && recover !== 'LAST' && recover !== 'NONE') {
    throw new ScheduleError(
      id,
      'recoverMissedSchedules',
      `recoverMissedSchedules must be ALL, LAST or NONE, got '${String(recover)}'`,
    );
  }
  const stopAfter = p.stopAfter === undefined || p.stopAfter === null ? [] : p.stopAfter;
  if (!Array.isArray(stopAfter) || stopAfter.some((s) => typeof s !== 'string')) {
    throw new ScheduleError(id, 'stopAfter', 'stopAfter must be a list of execution states, e.g. [FAILED]');
  }
  const inputs = p.inputs ?? {};
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw new ScheduleError(id, 'inputs', 'inputs must be a map');
  }
  // The flow parser keeps `lateMaximumDelay` as written and adds `lateMaximumDelayMs`.
  const late =
    typeof p.lateMaximumDelayMs === 'number'
      ? p.lateMaximumDelayMs
      : typeof p.lateMaximumDelay === 'string'
        ? parseIsoDuration(p.lateMaximumDelay)
        : p.lateMaximumDelay;
  if (
    (late === undefined && p.lateMaximumDelay !== undefined) ||
    (late !== undefined && (typeof late !== 'number' || !Number.isFinite(late) || late < 0))
  ) {
    throw new ScheduleError(
      id,
      'lateMaximumDelay',
      `lateMaximumDelay must be an ISO-8601 duration such as PT1H, got '${String(p.lateMaximumDelay)}'`,
    );
  }
  const bf = p.backfill as { start?: unknown; end?: unknown } | undefined;
  const day = (v: unknown, name: string): Date => {
    const d = new Date(String(v));
    if (Number.isNaN(d.getTime()))
      throw new ScheduleError(
        id,
        'backfill',
        `backfill.${name} must be an ISO-8601 date-time, got '${String(v)}'`,
      );
    return d;
  };
  const backfill = bf && {
    start: day(bf.start, 'start'),
    ...(bf.end !== undefined && { end: day(bf.end, 'end') }),
  };
  const spec: ScheduleSpec = {
    triggerId: id,
    cron,
    withSeconds,
    timezone,
    stopAfter: stopAfter as string[],
    recoverMissedSchedules: recover,
    inputs: inputs as Record<string, unknown>,
    disabled: trigger.disabled,
    ...(typeof late === 'number' && { lateMaximumDelayMs: late }),
    ...(backfill && { backfill }),
  };
  return new Schedule(spec, compile(spec));
}

function compile(spec: ScheduleSpec): Cron {
  const pattern = NICKNAMES[spec.cron.toLowerCase()] ?? spec.cron;
  const fields = pattern.split(/\s+/).length;
  if (!spec.cron.startsWith('@')) {
    if (spec.withSeconds && fields !== 6) {
      throw new ScheduleError(
        spec.triggerId,
        'cron',
        `invalid cron expression '${spec.cron}': withSeconds needs 6 fields (second minute hour day month weekday), got ${fields}`,
      );
    }
    if (!spec.withSeconds && fields !== 5) {
      throw new ScheduleError(
        spec.triggerId,
        'cron',
        `invalid cron expression '${spec.cron}': expected 5 fields (minute hour day month weekday)${fields === 6 ? ', or set withSeconds: true' : ''}, got ${fields}`,
      );
    }
  }
  try {
    return new Cron(pattern, { timezone: spec.timezone, paused: true, legacyMode: true });
  } catch (err) {
    throw new ScheduleError(
      spec.triggerId,
      'cron',
      `invalid cron expression '${spec.cron}': ${(err as Error).message.replace(/^CronPattern: /, '')}`,
    );
  }
}

/**
 * Fire-time arithmetic of one Schedule trigger; pure (no clock inside).
 * Across daylight-saving changes (croner's rules, checked in the tests): a
 * wall-clock time that does not exist fires just after the gap (02:30 → 03:30
 * on the spring-forward night); a wall-clock time that occurs twice fires once.
 */
export class Schedule {
  constructor(
    readonly spec: ScheduleSpec,
    private readonly cron: Cron,
  ) {}

  /** A stable text of what determines the fire times; a change means the stored next fire is stale. */
  get fingerprint(): string {
    const bf = this.spec.backfill;
    const backfill = bf ? `|backfill:${bf.start.toISOString()}:${bf.end?.toISOString() ?? ''}` : '';
    return `${this.spec.cron}|${this.spec.withSeconds}|${this.spec.timezone}${backfill}`;
  }

  /** The first fire strictly after `date`, or `undefined` if the cron never fires again (e.g. `0 0 31 2 *`). */
  nextFireAfter(date: Date): Date | undefined {
    return this.cron.nextRun(date) ?? undefined;
  }

  /** Fires in `(from, to]`, oldest first, at most `limit`. */
  firesBetween(from: Date, to: Date, limit = 1000): Date[] {
    const fires: Date[] = [];
    let cursor = from;
    while (fires.length < limit) {
      const next = this.nextFireAfter(cursor);
      if (next === undefined || next.getTime() > to.getTime()) break;
      fires.push(next);
      cursor = next;
    }
    return fires;
  }

  /** The last fire strictly before `date` (searched back up to 8 years), or `undefined`. */
  previousFireBefore(date: Date): Date | undefined {
    const windows = [60_000, 3_600_000, 86_400_000, 32 * 86_400_000, 367 * 86_400_000, 8 * 366 * 86_400_000];
    for (const w of windows) {
      const from = new Date(date.getTime() - w);
      let last: Date | undefined;
      let cursor = from;
      for (;;) {
        const next = this.nextFireAfter(cursor);
        if (next === undefined || next.getTime() >= date.getTime()) break;
        last = next;
        cursor = next;
      }
      if (last !== undefined) return last;
    }
    return undefined;
  }

  /**
   * The `trigger` variables of an execution this schedule starts for
   * `fireDate`: `date`, `next`, `previous` as ISO-8601 in the trigger's zone
   * (`2025-03-30T03:30:00+02:00`, `Z` for UTC), as Kestra's ZonedDateTimes.
   */
  triggerVariables(fireDate: Date): { date: string; next: string | null; previous: string | null } {
    const next = this.nextFireAfter(fireDate);
    const previous = this.previousFireBefore(fireDate);
    return {
      date: formatInZone(fireDate, this.spec.timezone),
      next: next ? formatInZone(next, this.spec.timezone) : null,
      previous: previous ? formatInZone(previous, this.spec.timezone) : null,
    };
  }
}

/**
 * ISO-8601 with the zone's offset at that instant, seconds precision (and
 * milliseconds when not zero).
 *
 * @example
 * formatInZone(new Date('2025-03-30T01:30:00Z'), 'Europe/Paris'); // '2025-03-30T03:30:00+02:00'
 */
export function formatInZone(date: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const localAsUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  const offsetMin = Math.round((localAsUtc - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const ms = date.getUTCMilliseconds();
  const local = `${pad(get('year'), 4)}-${pad(get('month'))}-${pad(get('day'))}T${pad(get('hour'))}:${pad(get('minute'))}:${pad(get('second'))}${ms ? `.${pad(ms, 3)}` : ''}`;
  const offset =
    offsetMin === 0
      ? 'Z'
      : `${offsetMin < 0 ? '-' : '+'}${pad(Math.trunc(offsetMin / 60))}:${pad(offsetMin % 60)}`;
  return local + offset;
}

function isValidTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
