import { describe, expect, it } from 'vitest';
import { parseFlow } from '../flow/parse-flow.js';
import { openDatabase } from '../sqlite/database.js';
import { SqliteConditionWindowStore } from '../sqlite/sqlite-condition-windows.js';
import { render } from '../template/index.js';
import type { ConditionContext } from './conditions.js';
import { evaluateMultiple, parseTimeWindow, windowAt } from './multiple-condition.js';
import { multipleSpecs } from './preconditions.js';

const KEY = { namespace: 'company.team', flowId: 'down', triggerId: 't' };

/** The Flow trigger of a flow whose trigger block is `trigger` (YAML lines under `triggers:`). */
function triggerOf(trigger: string[]) {
  const r = parseFlow(
    [
      'id: down',
      'namespace: company.team',
      'tasks:',
      '  - id: l',
      '    type: io.kestra.plugin.core.log.Log',
      '    message: hi',
      'triggers:',
      '  - id: t',
      '    type: io.kestra.plugin.core.trigger.Flow',
      ...trigger.map((l) => `    ${l}`),
    ].join('\n'),
  );
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  return r.flow.triggers[0]!;
}

const ended = (flowId: string, state = 'SUCCESS', namespace = 'company.team'): ConditionContext => ({
  variables: { flow: { namespace, id: flowId } },
  render: (t, v) => render(t, v),
  execution: { namespace, flowId, state, labels: [] },
});

describe('multiple conditions (MultipleCondition, preconditions)', () => {
  const fresh = () => new SqliteConditionWindowStore(openDatabase(':memory:'));

  it('aligns duration windows as Kestra does, and computes the daily ones in UTC', () => {
    const now = new Date('2025-03-03T10:17:42.123Z');
    const w = (props: Record<string, unknown>) => {
      const { start, end } = windowAt(parseTimeWindow(props), now);
      return [start.toISOString(), end.toISOString()];
    };
    expect(w({ window: 'P1D', windowAdvance: 'P0D' })).toEqual([
      '2025-03-03T00:00:00.000Z',
      '2025-03-03T23:59:59.999Z',
    ]);
    expect(w({ window: 'PT15M' })).toEqual(['2025-03-03T10:15:00.000Z', '2025-03-03T10:29:59.999Z']);
    expect(w({ window: 'PT1H', windowAdvance: 'PT5M' })).toEqual([
      '2025-03-03T10:05:00.000Z',
      '2025-03-03T11:04:59.999Z',
    ]);
    expect(w({ timeWindow: { type: 'DAILY_TIME_DEADLINE', deadline: '09:00:00' } })).toEqual([
      '2025-03-03T00:00:00.000Z',
      '2025-03-03T09:00:00.000Z',
    ]);
    expect(w({ timeWindow: { type: 'DAILY_TIME_WINDOW', startTime: '08:00', endTime: '12:30:00' } })).toEqual(
      ['2025-03-03T08:00:00.000Z', '2025-03-03T12:30:00.000Z'],
    );
  });

  it('MultipleCondition fires once when every keyed condition held in the window, then starts over', () => {
    const trigger = triggerOf([
      'conditions:',
      '  - id: multiple',
      '    type: io.kestra.plugin.core.condition.MultipleCondition',
      '    window: P1D',
      '    conditions:',
      '      a: { type: io.kestra.plugin.core.condition.ExecutionFlow, namespace: company.team, flowId: flow_a }',
      '      b: { type: io.kestra.plugin.core.condition.ExecutionFlow, namespace: company.team, flowId: flow_b }',
    ]);
    const store = fresh();
    const at = (iso: string, flowId: string) =>
      multipleSpecs(trigger, ended(flowId)).every((s) => evaluateMultiple(s, store, KEY, new Date(iso)));
    expect(at('2025-03-03T08:00:00Z', 'flow_a')).toBe(false);
    expect(at('2025-03-03T08:01:00Z', 'flow_a'), 'a again: b still missing').toBe(false);
    expect(at('2025-03-03T08:02:00Z', 'other')).toBe(false);
    expect(at('2025-03-03T08:03:00Z', 'flow_b'), 'both held in the day').toBe(true);
    expect(at('2025-03-03T08:04:00Z', 'flow_b'), 'reset after success').toBe(false);
    expect(at('2025-03-04T00:00:01Z', 'flow_a'), 'b of yesterday does not count').toBe(false);
  });

  it('keeps resetOnSuccess: false windows complete', () => {
    const trigger = triggerOf([
      'conditions:',
      '  - type: io.kestra.plugin.core.condition.MultipleCondition',
      '    resetOnSuccess: false',
      '    conditions:',
      '      a: { type: io.kestra.plugin.core.condition.ExecutionFlow, namespace: company.team, flowId: flow_a }',
    ]);
    const store = fresh();
    const at = (iso: string) =>
      multipleSpecs(trigger, ended('flow_a')).every((s) => evaluateMultiple(s, store, KEY, new Date(iso)));
    expect([at('2025-03-03T08:00:00Z'), at('2025-03-03T09:00:00Z')]).toEqual([true, true]);
  });

  it('preconditions: flows with states, where filters, and a daily deadline', () => {
    const trigger = triggerOf([
      'preconditions:',
      '  id: bronze_layer',
      '  timeWindow: { type: DAILY_TIME_DEADLINE, deadline: "09:00:00" }',
      '  flows:',
      '    - { namespace: company.team, flowId: bronze_layer, states: [SUCCESS, WARNING] }',
      '  where:',
      '    - id: prod',
      '      operand: OR',
      '      filters:',
      '        - { field: NAMESPACE, type: STARTS_WITH, value: company.prod }',
      '        - { field: FLOW_ID, type: IN, values: [loader, extractor] }',
    ]);
    const store = fresh();
    const at = (iso: string, c: ConditionContext) =>
      multipleSpecs(trigger, c).every((s) => evaluateMultiple(s, store, KEY, new Date(iso)));
    expect(at('2025-03-03T07:00:00Z', ended('bronze_layer', 'FAILED')), 'FAILED is not a listed state').toBe(
      false,
    );
    expect(at('2025-03-03T07:01:00Z', ended('bronze_layer', 'WARNING'))).toBe(false);
    expect(at('2025-03-03T07:02:00Z', ended('report', 'SUCCESS', 'company.analytics'))).toBe(false);
    expect(at('2025-03-03T07:03:00Z', ended('loader', 'SUCCESS', 'company.other')), 'where (OR) holds').toBe(
      true,
    );
    expect(at('2025-03-03T09:30:00Z', ended('bronze_layer')), 'after the deadline').toBe(false);
    expect(at('2025-03-03T09:31:00Z', ended('loader')), 'nothing recorded after the deadline').toBe(false);
    expect(at('2025-03-04T08:00:00Z', ended('bronze_layer'))).toBe(false);
    expect(at('2025-03-04T08:10:00Z', ended('x', 'SUCCESS', 'company.prod.eu')), 'next day, before 9').toBe(
      true,
    );
  });

  it('refuses a MultipleCondition outside the top of a Flow trigger, and a bad time window', () => {
    const bad = (lines: string[]) => {
      const r = parseFlow(
        [
          'id: f',
          'namespace: n',
          'tasks:',
          '  - id: l',
          '    type: io.kestra.plugin.core.log.Log',
          '    message: hi',
        ]
          .concat(['triggers:', ...lines])
          .join('\n'),
      );
      return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    };
    expect(
      bad([
        '  - id: s',
        '    type: io.kestra.plugin.core.trigger.Schedule',
        '    cron: "* * * * *"',
        '    conditions:',
        '      - type: io.kestra.plugin.core.condition.MultipleCondition',
        '        conditions: {}',
      ]),
    ).toEqual([
      expect.stringMatching(/^triggers\[0\]\.conditions\[0\]\.type: .*only at the top of a Flow trigger/),
    ]);
    expect(
      bad([
        '  - id: f',
        '    type: io.kestra.plugin.core.trigger.Flow',
        '    preconditions:',
        '      timeWindow: { type: DAILY_TIME_DEADLINE, deadline: 9am }',
      ]),
    ).toEqual([expect.stringMatching(/^triggers\[0\]\.preconditions\.timeWindow\.deadline: /)]);
  });
});
