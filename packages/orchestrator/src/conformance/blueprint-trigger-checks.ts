import { Cron } from 'croner';
import { expect } from 'vitest';
import { parseFlow } from '../flow/parse-flow.js';
import { parseSchedule, SCHEDULE_TRIGGER_TYPE } from '../scheduler/schedule.js';
import { render } from '../template/index.js';
import { allConditionsHold } from '../triggers/conditions.js';
import { type BpCheck, type BpContext, type BpExec, isDone, messagesOf, runOk } from './blueprint-harness.js';

const T = 'company.team';
const YEAR = [new Date('2025-01-01T00:00:00Z'), new Date('2025-12-31T23:59:59Z')] as const;

/**
 * The fires of a flow's first Schedule trigger between two dates that its
 * conditions accept, evaluated by the instance's own trigger logic (schedule
 * from `parseSchedule`, conditions from `allConditionsHold`) on an injected
 * range of dates instead of waiting for the clock. Answers local dates
 * (`yyyy-MM-dd`, or `yyyy-MM-ddTHH` when `hours`).
 */
export function acceptedFires(source: string, hours = false, range = YEAR): string[] {
  const r = parseFlow(source);
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('; '));
  const trigger = r.flow.triggers.find((t) => t.type === SCHEDULE_TRIGGER_TYPE);
  if (!trigger) throw new Error('no Schedule trigger');
  const schedule = parseSchedule(trigger);
  const flow = { id: r.flow.id, namespace: r.flow.namespace };
  return schedule
    .firesBetween(range[0], range[1], 10_000)
    .map((d) => schedule.triggerVariables(d))
    .filter((v) =>
      allConditionsHold(trigger.conditions, {
        variables: { trigger: v, flow },
        render: (t, x) => render(t, x),
      }),
    )
    .map((v) => v.date.slice(0, hours ? 13 : 10));
}

/** Every day of 2025 (UTC) whose weekday (0 = Sunday) passes `keep`, as `yyyy-MM-dd`. */
function days2025(keep: (d: Date) => boolean): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2026, 0, 1); t += 86_400_000) {
    const d = new Date(t);
    if (keep(d)) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}
const weekday = (n: number) => (d: Date) => d.getUTCDay() === n;
const lastOfMonth = (d: Date) => new Date(d.getTime() + 7 * 86_400_000).getUTCMonth() !== d.getUTCMonth();

/** A schedule blueprint: its conditions accept exactly `expected` in 2025, and a run by hand succeeds. */
const scheduleCheck =
  (flowId: string, expected: () => string[], hours = false): BpCheck =>
  async (c) => {
    expect(acceptedFires(c.source, hours)).toEqual(expected());
    await runOk(c, T, flowId);
  };

/** The executions of `flowId` that a Flow trigger started for the upstream execution `upstreamId`. */
async function triggeredBy(c: BpContext, flowId: string, upstreamId: string): Promise<BpExec[]> {
  return (await c.executionsOf(T, flowId)).filter((e) => e.trigger?.variables?.executionId === upstreamId);
}
const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

/** Checks of the blueprints that a trigger drives (Schedule conditions, Flow triggers, webhooks). */
export const TRIGGER_CHECKS: Record<string, BpCheck> = {
  'bp--every-monday.yml': async (c) => {
    expect(acceptedFires(c.source)).toEqual(days2025((d) => d.getUTCDay() === 1 && d.getUTCDate() <= 7));
    const e = await runOk(c, T, 'every-monday');
    expect((await messagesOf(c, e, 'log_trigger_or_execution_date'))[0]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  },
  'bp--schedule-condition-dayweek.yml': scheduleCheck('schedule-condition-dayweek', () =>
    days2025(weekday(1)),
  ),
  'bp--schedule-condition-not.yml': scheduleCheck('schedule-condition-not', () =>
    days2025((d) => d.getUTCDay() !== 1),
  ),
  'bp--schedule-condition-or.yml': scheduleCheck('schedule-condition-or', () =>
    days2025((d) => d.getUTCDay() === 1 || d.getUTCDay() === 4),
  ),
  'bp--schedule-condition-weekend.yml': scheduleCheck('schedule-condition-weekend', () =>
    days2025((d) => d.getUTCDay() === 0 || d.getUTCDay() === 6),
  ),
  'bp--schedule-condition-dayweekinmonth.yml': scheduleCheck('schedule-condition-dayweekinmonth', () =>
    days2025((d) => d.getUTCDay() === 6 && lastOfMonth(d)),
  ),
  // after 2025-12-31 and before 2025-01-01: a window that no date is in.
  'bp--schedule-condition-datetimebetween.yml': scheduleCheck('schedule-condition-datetimebetween', () => []),
  'bp--schedule-condition-publicholiday.yml': scheduleCheck('schedule-condition-publicholiday', () =>
    // France's public holidays of 2025 (Jollyday, as Kestra uses, and date-holidays agree).
    ['01-01', '04-21', '05-01', '05-08', '05-29', '06-09', '07-14', '08-15', '11-01', '11-11', '12-25'].map(
      (d) => `2025-${d}`,
    ),
  ),
  'bp--schedule-condition-timebetween.yml': async (c) => {
    // 08:00+02:00 to 17:00+02:00 is 06:00Z to 15:00Z: Kestra compares as instants (Java OffsetTime), both ends excluded.
    const day = [new Date('2025-03-03T00:00:00Z'), new Date('2025-03-03T23:59:59Z')] as const;
    const hours = acceptedFires(c.source, true, day).map((h) => Number(h.slice(11)));
    expect(hours).toEqual([7, 8, 9, 10, 11, 12, 13, 14]);
    await runOk(c, T, 'schedule-condition-timebetween');
  },
  'bp--kv-store-purge.yml': async (c) => {
    const put = (ns: string, key: string, ttl?: string) =>
      c.call('PUT', `/namespaces/${ns}/kv/${key}`, '"v"', {
        'content-type': 'text/plain',
        ...(ttl ? { ttl } : {}),
      });
    for (const [ns, key, ttl] of [
      ['system', 'old', 'PT0.05S'],
      ['company', 'old', 'PT0.05S'],
      ['company.team', 'old', 'PT0.05S'],
      ['company', 'fresh', undefined],
      ['tutorial', 'old', 'PT0.05S'],
    ] as const)
      expect((await put(ns, key, ttl)).status).toBeLessThan(300);
    await settle(150);
    const e = await runOk(c, 'system', 'kv-store-purge');
    expect(e.taskRunList[0]?.outputs?.size, 'expired keys of system, company, company.team').toBe(3);
    expect((await c.call('GET', '/namespaces/company/kv/fresh')).status, 'unexpired key kept').toBe(200);
  },
  'bp-removed--daily-flow.yml': async (c) => {
    const e = await runOk(c, T, 'daily-flow');
    expect(await messagesOf(c, e, 'log')).toEqual([expect.stringMatching(/^It's \d{2}:\d{2}$/)]);
  },
  'bp-removed--taxi-trip-data.yml': async (c) => {
    // backfill start 2023-01-01: one execution per monthly fire since then, each with its trigger.date.
    const runs = await c.until(
      () => c.executionsOf(T, 'taxi-trip-data'),
      (l) => l.some((e) => String(e.trigger?.variables?.date).startsWith('2023-01-01T08:00')),
      10_000,
    );
    const jan = runs.find((e) => String(e.trigger?.variables?.date).startsWith('2023-01-01T08:00'));
    expect(jan, 'backfill execution for January 2023').toBeDefined();
    const done = await c.until(() => c.get(jan!.id), isDone);
    expect((await messagesOf(c, done, 'log'))[0]).toContain('yellow_tripdata_2023-01.parquet');
  },
  'bp--flow-condition-executionflow.yml': async (c) => {
    const up = await runOk(c, 'system.prod', 'system_flow');
    const fired = await c.until(
      () => c.executionsOf(T, 'flow-condition-executionflow'),
      (l) => l.length > 0,
      5_000,
    );
    await settle();
    expect(fired.map((e) => [e.trigger?.variables?.executionId, e.trigger?.variables?.state])).toEqual([
      [up.id, 'RUNNING'],
    ]);
    expect((await c.executionsOf(T, 'flow-condition-executionflow')).length, 'fires once, for RUNNING').toBe(
      1,
    );
  },
  'bp--flow-condition-not.yml': async (c) => {
    const other = await runOk(c, 'company.analytics', 'report');
    const team = await runOk(c, T, 'flow_a');
    await c.until(
      () => triggeredBy(c, 'flow-condition-not', team.id),
      (l) => l.length > 0,
    );
    await settle();
    const all = await c.executionsOf(T, 'flow-condition-not');
    expect(
      all.map((e) => e.trigger?.variables?.executionId),
      'only for company.team, not for itself',
    ).toEqual([team.id]);
    expect(all.some((e) => e.trigger?.variables?.executionId === other.id)).toBe(false);
  },
  'bp--flow-downstream.yml': async (c) => {
    await runOk(c, T, 'flow_a');
    await settle();
    expect(await c.executionsOf(T, 'flow-downstream'), 'not after flow_a alone').toHaveLength(0);
    await runOk(c, T, 'flow_b');
    const once = await c.until(
      () => c.executionsOf(T, 'flow-downstream'),
      (l) => l.length > 0,
    );
    await runOk(c, T, 'flow_a');
    await settle();
    expect(once).toHaveLength(1);
    expect(
      await c.executionsOf(T, 'flow-downstream'),
      'a second flow_a alone does not fire again',
    ).toHaveLength(1);
  },
  'doc--trigger_Flow_2.yml': async (c) => {
    await runOk(c, 'company.analytics', 'report');
    await runOk(c, T, 'flow_a');
    await settle();
    expect(await c.executionsOf(T, 'silver_layer'), 'unrelated flows do not trigger it').toHaveLength(0);
    // The upstream its description names: it triggers silver_layer before the daily deadline (09:00 UTC) only.
    const bronze = `id: bronze_layer\nnamespace: ${T}\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: raw data\n`;
    expect((await c.call('POST', '/flows', bronze, { 'content-type': 'application/x-yaml' })).status).toBe(
      200,
    );
    try {
      const before = new Date().getUTCHours() < 9;
      const up = await runOk(c, T, 'bronze_layer');
      const fired = await c.until(
        () => c.executionsOf(T, 'silver_layer'),
        (l) => l.length > 0,
        before ? 5_000 : 1_000,
      );
      await settle();
      expect(
        fired.map((e) => e.trigger?.variables?.executionId),
        before ? 'fires for bronze_layer before 09:00' : 'no fire after the 09:00 deadline',
      ).toEqual(before ? [up.id] : []);
    } finally {
      await c.call('DELETE', `/flows/${T}/bronze_layer`);
    }
  },
  'doc--trigger_Webhook_1.yml': async (c) => {
    const path = `/executions/webhook/${T}/webhook_flow`;
    expect((await c.call('POST', `${path}/wrong-key`)).status).toBe(404);
    const r = await c.call('POST', `${path}/4wjtkzwVGBM9yKnjm3yv8r`, { any: 1 });
    expect(r.status).toBe(200);
    const id = ((await r.json()) as BpExec).id;
    const e = await c.until(() => c.get(id), isDone);
    expect(await messagesOf(c, e, 'log_hello_world')).toEqual(['Hello World! 🚀']);
  },
  'doc--trigger_Webhook_2.yml': async (c) => {
    const path = `/executions/webhook/${T}/condition_based_webhook_flow/4wjtkzwVGBM9yKnjm3yv8r`;
    await c.call('POST', path, { hello: 'moon' });
    await c.call('POST', path, { hello: 'world' });
    const l = await c.until(
      () => c.executionsOf(T, 'condition_based_webhook_flow'),
      (x) => x.length > 0 && x.every(isDone),
    );
    expect(l.map((e) => e.trigger?.variables?.body)).toEqual([{ hello: 'world' }]);
  },
};

/** Each enabled Schedule trigger of a flow answers, in the triggers API, the cron's next fire in its zone. */
export async function checkNextFires(c: BpContext): Promise<void> {
  const r = parseFlow(c.source);
  if (!r.ok) return;
  const schedules = r.flow.triggers.filter((t) => t.type === SCHEDULE_TRIGGER_TYPE && !t.disabled);
  if (schedules.length === 0) return;
  const res = await c.call('GET', `/triggers/${r.flow.namespace}/${r.flow.id}`);
  const body = (await res.json()) as {
    results: Array<{ triggerId: string; nextExecutionDate: string | null }>;
  };
  for (const t of schedules) {
    const want = new Cron(String(t.props.cron), {
      paused: true,
      timezone: (t.props.timezone as string | undefined) ?? 'UTC',
    }).nextRun();
    const got = body.results.find((x) => x.triggerId === t.id)?.nextExecutionDate;
    expect(got && Date.parse(got), `${t.id} nextExecutionDate`).toBe(want?.getTime());
  }
}
