import { describe, expect, it } from 'vitest';
import { render } from '../template/index.js';
import { allConditionsHold, type ConditionContext, UnsupportedConditionError } from './conditions.js';

const P = 'io.kestra.plugin.core.condition';
const at = (date: string, execution?: ConditionContext['execution']): ConditionContext => ({
  variables: { trigger: { date, body: { hello: 'world' } } },
  render: (t, v) => render(t, v),
  ...(execution ? { execution } : {}),
});
const holds = (type: string, props: Record<string, unknown>, ctx: ConditionContext) =>
  allConditionsHold([{ type: `${P}.${type}`, props }], ctx);

describe('trigger conditions', () => {
  // 2025-01-04 is a Saturday; 2025-01-06 a Monday.
  it.each([
    ['DayWeek', { dayOfWeek: 'MONDAY' }, '2025-01-06T09:00:00+01:00', true],
    ['DayWeek', { dayOfWeek: 'MONDAY' }, '2025-01-05T23:30:00-05:00', false],
    ['Weekend', {}, '2025-01-04T12:00:00Z', true],
    ['Weekend', {}, '2025-01-06T00:00:00+09:00', false],
    ['TimeBetween', { after: '08:00:00', before: '18:00' }, '2025-01-06T09:00:00+01:00', true],
    ['TimeBetween', { after: '08:00:00', before: '18:00' }, '2025-01-06T19:00:00+01:00', false],
    [
      'DateTimeBetween',
      { after: '2025-01-01T00:00:00Z', before: '2025-02-01T00:00:00Z' },
      '2025-01-06T09:00:00+01:00',
      true,
    ],
    ['DateTimeBetween', { after: '2025-02-01T00:00:00Z' }, '2025-01-06T09:00:00+01:00', false],
    ['Expression', { expression: "{{ trigger.body.hello == 'world' }}" }, '2025-01-06T09:00:00Z', true],
    ['Expression', { expression: "{{ trigger.body.hello == 'webhook' }}" }, '2025-01-06T09:00:00Z', false],
  ] as const)('%s %j at %s → %s', (type, props, date, want) => {
    expect(holds(type, props, at(date))).toBe(want);
  });

  it('nests with Not and Or, conditions written as in YAML', () => {
    const weekend = { type: 'io.kestra.plugin.core.condition.WeekendCondition' };
    expect(holds('Not', { conditions: [weekend] }, at('2025-01-06T09:00:00Z'))).toBe(true);
    expect(
      holds(
        'Or',
        { conditions: [weekend, { type: `${P}.DayWeek`, dayOfWeek: 'MONDAY' }] },
        at('2025-01-06T09:00:00Z'),
      ),
    ).toBe(true);
  });

  it('checks the execution that ended', () => {
    const e = {
      namespace: 'company.team.a',
      flowId: 'up',
      state: 'FAILED',
      labels: [{ key: 'env', value: 'prod' }],
    };
    expect(holds('ExecutionStatus', { in: ['FAILED'] }, at('2025-01-06T09:00:00Z', e))).toBe(true);
    expect(holds('ExecutionStatus', { notIn: ['FAILED'] }, at('2025-01-06T09:00:00Z', e))).toBe(false);
    expect(holds('ExecutionFlow', { namespace: 'company.team.a', flowId: 'up' }, at('x', e))).toBe(true);
    expect(holds('ExecutionNamespace', { namespace: 'company.team', comparison: 'PREFIX' }, at('x', e))).toBe(
      true,
    );
    expect(holds('ExecutionNamespace', { namespace: 'company.team' }, at('x', e))).toBe(false);
    expect(holds('ExecutionLabels', { labels: { env: 'prod' } }, at('x', e))).toBe(true);
  });

  it('refuses a condition type it cannot evaluate, by name', () => {
    expect(() => holds('MultipleCondition', {}, at('2025-01-06T09:00:00Z'))).toThrow(
      UnsupportedConditionError,
    );
  });

  // 2025-03-29 is the last Saturday of March; 2025-03-03 the first Monday; 2025-07-14 France's national day.
  it.each([
    ['DayWeekInMonth', { dayOfWeek: 'SATURDAY', dayInMonth: 'LAST' }, '2025-03-29T11:00:00Z', true],
    ['DayWeekInMonth', { dayOfWeek: 'SATURDAY', dayInMonth: 'LAST' }, '2025-03-22T11:00:00Z', false],
    ['DayWeekInMonth', { dayOfWeek: 'MONDAY', dayInMonth: 'FIRST' }, '2025-03-03T11:00:00+01:00', true],
    ['DayWeekInMonth', { dayOfWeek: 'MONDAY', dayInMonth: 'SECOND' }, '2025-03-10T11:00:00Z', true],
    ['DayWeekInMonth', { dayOfWeek: 'MONDAY', dayInMonth: 'FIRST' }, '2025-03-10T11:00:00Z', false],
    ['PublicHoliday', { country: 'FR' }, '2025-07-14T11:00:00Z', true],
    ['PublicHoliday', { country: 'FR' }, '2025-07-15T11:00:00Z', false],
    ['PublicHoliday', { country: 'US' }, '2025-07-04T11:00:00-04:00', true],
    ['PublicHoliday', { country: 'DE', subDivision: 'BY' }, '2025-01-06T11:00:00+01:00', true],
    ['PublicHoliday', { country: 'DE', subDivision: 'BE' }, '2025-01-06T11:00:00+01:00', false],
    // Offsets compare as instants, both ends excluded (Java OffsetTime).
    ['TimeBetween', { after: '08:00:00+02:00', before: '17:00:00+02:00' }, '2025-03-03T07:00:00Z', true],
    ['TimeBetween', { after: '08:00:00+02:00', before: '17:00:00+02:00' }, '2025-03-03T06:00:00Z', false],
    ['TimeBetween', { after: '08:00:00+02:00', before: '17:00:00+02:00' }, '2025-03-03T16:00:00Z', false],
    ['TimeBetween', { after: '22:00:00Z', before: '02:00:00Z' }, '2025-03-03T23:00:00Z', true],
    ['TimeBetween', { after: '22:00:00Z', before: '02:00:00Z' }, '2025-03-03T12:00:00Z', false],
  ] as const)('%s %j at %s → %s', (type, props, date, want) => {
    expect(holds(type, props, at(date))).toBe(want);
  });

  it("checks the flow that owns the trigger, and the ended execution's outputs and retries", () => {
    const ctx = { ...at('x'), flow: { namespace: 'company.team', id: 'down' } };
    expect(holds('FlowCondition', { namespace: 'company.team', flowId: 'down' }, ctx)).toBe(true);
    expect(holds('FlowCondition', { namespace: 'company.team', flowId: 'up' }, ctx)).toBe(false);
    expect(holds('FlowNamespaceCondition', { namespace: 'company', prefix: true }, ctx)).toBe(true);
    expect(holds('FlowNamespaceCondition', { namespace: 'company' }, ctx)).toBe(false);
    const e = (outputs: Record<string, unknown> | null, attempts: string[][]) => ({
      ...at('x', { namespace: 'n', flowId: 'up', state: 'SUCCESS', labels: [], outputs, attempts }),
      variables: { trigger: { outputs } },
    });
    const expr = { expression: '{{ trigger.outputs.total > 1 }}' };
    expect(holds('ExecutionOutputs', expr, e({ total: 2 }, []))).toBe(true);
    expect(holds('ExecutionOutputs', expr, e({ total: 1 }, []))).toBe(false);
    expect(holds('ExecutionOutputs', expr, e(null, []))).toBe(false);
    expect(holds('HasRetryAttempt', { in: ['FAILED'] }, e(null, [['FAILED', 'SUCCESS']]))).toBe(true);
    expect(holds('HasRetryAttempt', { in: ['FAILED'] }, e(null, [['SUCCESS']]))).toBe(false);
    expect(holds('HasRetryAttempt', { notIn: ['FAILED'] }, e(null, [['FAILED', 'FAILED']]))).toBe(false);
  });
});
