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
    expect(() => holds('PublicHoliday', {}, at('2025-01-06T09:00:00Z'))).toThrow(UnsupportedConditionError);
  });
});
