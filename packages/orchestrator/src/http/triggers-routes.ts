import { Hono } from 'hono';
import { BadRequestError } from '../errors.js';
import type { Flow, Trigger } from '../flow/flow-model.js';
import type { FlowRepository } from '../ports/flow-repository.js';
import type { TriggerState } from '../ports/trigger-state.js';
import { dialectOf } from './dialect.js';
import { op } from './operation.js';
import { paging, queryFilters } from './query-params.js';

export type TriggersRoutesDeps = {
  flows(): FlowRepository;
  /** The scheduler's stored state of a trigger, if it has one. */
  state(namespace: string, flowId: string, triggerId: string): TriggerState | undefined;
  /** The next fire of a Schedule trigger, if it will fire. */
  nextFire(flow: Flow, trigger: Trigger): Date | undefined;
  tenantId: string;
};

type Row = { flow: Flow; trigger: Trigger };

/** The trigger types the scheduler evaluates on a clock: 2.0's `kind: SCHEDULE`. */
const SCHEDULED_TYPES = new Set([
  'io.kestra.plugin.core.trigger.Schedule',
  'io.kestra.plugin.core.trigger.ScheduleOnDates',
]);

/** 2.0's `dateFilter` of `searchTriggers`: which date a time range applies to; anything else is a 400 naming it. */
function dateFilterParam(raw: string | undefined): void {
  if (raw === undefined || raw === '' || raw === 'NEXT_EXECUTION_DATE' || raw === 'LAST_TRIGGERED_DATE')
    return;
  throw new BadRequestError(
    `Bad Request: dateFilter must be NEXT_EXECUTION_DATE or LAST_TRIGGERED_DATE, got '${raw}'`,
    [{ message: 'must be NEXT_EXECUTION_DATE or LAST_TRIGGERED_DATE', path: 'dateFilter' }],
  );
}

/**
 * Kestra's triggers API (SCOPE.md rows 30–31): `GET /triggers/search`
 * (`PagedResults_TriggerController.Triggers_`: `{abstractTrigger, triggerContext}`;
 * on 2.0 `PagedResults_ApiTriggerAndState_`: `{trigger, state}`) and
 * `GET /triggers/{namespace}/{flowId}` (`PagedResults_Trigger_`; on 2.0
 * `PagedResults_ApiTriggerState_`), over the triggers of the live flows and
 * the scheduler's state.
 */
export function createTriggersRoutes(deps: TriggersRoutesDeps): Hono {
  const api = new Hono();
  const context = ({ flow, trigger }: Row) => {
    const s = deps.state(flow.namespace, flow.id, trigger.id);
    const next = deps.nextFire(flow, trigger);
    return {
      tenantId: deps.tenantId,
      namespace: flow.namespace,
      flowId: flow.id,
      triggerId: trigger.id,
      date: s?.lastFireAt ?? s?.updatedAt ?? new Date().toISOString(),
      nextExecutionDate: s?.disabled ? null : (next?.toISOString() ?? s?.nextFireAt ?? null),
      disabled: trigger.disabled || s?.disabled === true,
      backfill: null,
      stopAfter: (trigger.props.stopAfter as string[] | undefined) ?? null,
      executionId: null,
      updatedDate: s?.updatedAt ?? null,
      evaluateRunningDate: null,
      workerId: null,
    };
  };
  const abstractTrigger = ({ trigger }: Row) => ({
    id: trigger.id,
    type: trigger.type,
    ...(trigger.description ? { description: trigger.description } : {}),
    disabled: trigger.disabled,
    ...(trigger.conditions.length > 0
      ? { conditions: trigger.conditions.map((c) => ({ type: c.type, ...c.props })) }
      : {}),
    ...trigger.props,
  });
  /** 2.0 `ApiTriggerState` (CHANGES.md B.1 rows 30–31): renamed dates, no nulls, `locked`, `kind`. */
  const apiState = ({ flow, trigger }: Row) => {
    const s = deps.state(flow.namespace, flow.id, trigger.id);
    const disabled = trigger.disabled || s?.disabled === true;
    const next = disabled ? undefined : (deps.nextFire(flow, trigger)?.toISOString() ?? s?.nextFireAt);
    const kind = SCHEDULED_TYPES.has(trigger.type) ? 'SCHEDULE' : undefined;
    return {
      namespace: flow.namespace,
      flowId: flow.id,
      triggerId: trigger.id,
      updatedAt: s?.updatedAt ?? s?.lastFireAt ?? new Date().toISOString(),
      ...(next ? { nextEvaluationDate: next } : {}),
      ...(s?.lastFireAt ? { lastTriggeredDate: s.lastFireAt } : {}),
      ...(trigger.props.stopAfter ? { stopAfter: trigger.props.stopAfter as string[] } : {}),
      disabled,
      // One scheduler per instance, evaluating in its own transaction: a trigger is never left locked.
      locked: false,
      ...(kind ? { kind } : {}),
    };
  };
  const page = <T>(rows: T[], p: { page: number; size: number }) => ({
    results: rows.slice((p.page - 1) * p.size, p.page * p.size),
    total: rows.length,
  });
  const sortRows = (rows: Row[], sort: string[]): Row[] => {
    const [spec] = sort.flatMap((s) => s.split(',')).filter((s) => s !== '');
    if (!spec) return rows;
    const [field = 'triggerId', dir = 'asc'] = spec.split(':');
    const key = (r: Row) =>
      field === 'namespace' ? r.flow.namespace : field === 'flowId' ? r.flow.id : r.trigger.id;
    const sorted = [...rows].sort((a, b) => key(a).localeCompare(key(b)));
    return dir === 'desc' ? sorted.reverse() : sorted;
  };
  const allRows = (): Row[] =>
    deps
      .flows()
      .listAll()
      .flatMap((r) => r.flow.triggers.map((trigger) => ({ flow: r.flow, trigger })))
      .sort(
        (a, b) =>
          a.flow.namespace.localeCompare(b.flow.namespace) ||
          a.flow.id.localeCompare(b.flow.id) ||
          a.trigger.id.localeCompare(b.trigger.id),
      );

  api.get('/triggers/search', op('searchTriggers'), (c) => {
    let rows = allRows();
    const q = c.req.query('q');
    for (const f of queryFilters(c)) {
      const get = (r: Row) =>
        f.field === 'namespace'
          ? r.flow.namespace
          : f.field === 'flowId'
            ? r.flow.id
            : f.field === 'triggerId'
              ? r.trigger.id
              : undefined;
      if (f.field === 'q') {
        rows = rows.filter((r) => `${r.flow.namespace} ${r.flow.id} ${r.trigger.id}`.includes(f.value));
        continue;
      }
      rows = rows.filter((r) => {
        const v = get(r);
        if (v === undefined) return true;
        switch (f.operation) {
          case 'EQUALS':
            return v === f.value;
          case 'NOT_EQUALS':
            return v !== f.value;
          case 'STARTS_WITH':
          case 'PREFIX':
            return (
              v === f.value ||
              v.startsWith(f.field === 'namespace' ? `${f.value}.` : f.value) ||
              v.startsWith(f.value)
            );
          case 'CONTAINS':
            return v.includes(f.value);
          case 'IN':
            return f.value.split(',').includes(v);
          default:
            return true;
        }
      });
    }
    if (q) rows = rows.filter((r) => `${r.flow.namespace} ${r.flow.id} ${r.trigger.id}`.includes(q));
    rows = sortRows(rows, c.req.queries('sort') ?? []);
    if (dialectOf(c) === '2.0') {
      dateFilterParam(c.req.query('dateFilter'));
      return c.json(
        page(
          rows.map((r) => ({ trigger: abstractTrigger(r), state: apiState(r) })),
          paging(c),
        ),
      );
    }
    return c.json(
      page(
        rows.map((r) => ({ abstractTrigger: abstractTrigger(r), triggerContext: context(r) })),
        paging(c),
      ),
    );
  });

  api.get('/triggers/:namespace/:flowId', op('searchTriggersForFlow'), (c) => {
    const { namespace, flowId } = c.req.param();
    const q = c.req.query('q');
    let rows = allRows().filter((r) => r.flow.namespace === namespace && r.flow.id === flowId);
    if (q) rows = rows.filter((r) => r.trigger.id.includes(q));
    rows = sortRows(rows, c.req.queries('sort') ?? []);
    if (dialectOf(c) === '2.0') return c.json(page(rows.map(apiState), paging(c)));
    return c.json(page(rows.map(context), paging(c)));
  });
  return api;
}
