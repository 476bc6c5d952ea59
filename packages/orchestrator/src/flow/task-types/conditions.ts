import { z } from 'zod';
import { bool, duration, nonEmptyStr, oneOf, record, str, typeError } from '../schema-kit.js';
import { lazySchemas, type TypeDefinition, type TypeSpec } from '../type-definition.js';

const P = 'io.kestra.plugin.core.condition';
const OLD = 'io.kestra.core.models.conditions.types';
const STATES = () => z.array(str(), { error: typeError('expected a list of states') });
const DATE = () => str().optional();
const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
const CONDITION_LIST = () => z.array(record(), { error: typeError('expected a list of conditions') });

const TIME_OF_DAY = () => str().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'expected a time of day HH:mm[:ss]');
/** Kestra's `TimeWindow` of multiple conditions and Flow-trigger `preconditions` (triggers/multiple-condition.ts). */
export const TIME_WINDOW = () =>
  z.strictObject({
    type: oneOf(['DURATION_WINDOW', 'SLIDING_WINDOW', 'DAILY_TIME_WINDOW', 'DAILY_TIME_DEADLINE']).optional(),
    window: duration().optional(),
    windowAdvance: duration().optional(),
    startTime: TIME_OF_DAY().optional(),
    endTime: TIME_OF_DAY().optional(),
    deadline: TIME_OF_DAY().optional(),
  });

/** Kestra's core trigger conditions, each checked strictly (triggers/conditions.ts evaluates them). */
export const CONDITIONS: TypeDefinition[] = lazySchemas([
  {
    type: `${P}.ExecutionStatus`,
    kind: 'condition',
    aliases: [`${P}.ExecutionStatusCondition`, `${OLD}.ExecutionStatusCondition`],
    schema: () => z.strictObject({ in: STATES().optional(), notIn: STATES().optional() }),
  },
  {
    type: `${P}.ExecutionFlow`,
    kind: 'condition',
    aliases: [`${P}.ExecutionFlowCondition`, `${OLD}.ExecutionFlowCondition`],
    schema: () => z.strictObject({ namespace: nonEmptyStr(), flowId: nonEmptyStr() }),
  },
  {
    type: `${P}.Expression`,
    kind: 'condition',
    aliases: [`${P}.ExpressionCondition`, `${OLD}.VariableCondition`, `${OLD}.ExpressionCondition`],
    schema: () => z.strictObject({ expression: nonEmptyStr() }),
  },
  {
    type: `${P}.ExecutionNamespace`,
    kind: 'condition',
    aliases: [`${P}.ExecutionNamespaceCondition`, `${OLD}.ExecutionNamespaceCondition`],
    schema: () =>
      z.strictObject({
        namespace: nonEmptyStr(),
        comparison: str().optional(),
        prefix: z.boolean().optional(),
      }),
  },
  {
    type: `${P}.ExecutionLabels`,
    kind: 'condition',
    aliases: [`${P}.ExecutionLabelsCondition`, `${OLD}.ExecutionLabelsCondition`],
    schema: () => z.strictObject({ labels: z.union([record(), z.array(z.unknown())]) }),
  },
  ...(
    [
      ['ExecutionOutputs', 'ExecutionOutputsCondition', () => ({ expression: nonEmptyStr() })],
      ['FlowCondition', 'FlowCondition', () => ({ namespace: nonEmptyStr(), flowId: nonEmptyStr() })],
      [
        'FlowNamespaceCondition',
        'FlowNamespaceCondition',
        () => ({ namespace: nonEmptyStr(), prefix: bool().optional() }),
      ],
      [
        'HasRetryAttempt',
        'HasRetryAttemptCondition',
        () => ({ in: STATES().optional(), notIn: STATES().optional() }),
      ],
      [
        'DateTimeBetween',
        'DateTimeBetweenCondition',
        () => ({ date: DATE(), after: str().optional(), before: str().optional() }),
      ],
      ['DayWeek', 'DayWeekCondition', () => ({ date: DATE(), dayOfWeek: oneOf(DAYS) })],
      [
        'DayWeekInMonth',
        'DayWeekInMonthCondition',
        () => ({
          date: DATE(),
          dayOfWeek: oneOf(DAYS),
          dayInMonth: oneOf(['FIRST', 'SECOND', 'THIRD', 'FOURTH', 'LAST']),
        }),
      ],
      [
        'TimeBetween',
        'TimeBetweenCondition',
        () => ({ date: DATE(), after: str().optional(), before: str().optional() }),
      ],
      ['Weekend', 'WeekendCondition', () => ({ date: DATE() })],
      [
        'PublicHoliday',
        'PublicHolidayCondition',
        () => ({ date: DATE(), country: str().optional(), subDivision: str().optional() }),
      ],
      ['Not', 'NotCondition', () => ({ conditions: CONDITION_LIST() })],
      ['Or', 'OrCondition', () => ({ conditions: CONDITION_LIST() })],
    ] as const
  ).map(
    ([name, old, shape]): TypeSpec => ({
      type: `${P}.${name}`,
      kind: 'condition',
      aliases: [...new Set([`${P}.${old}`, `${OLD}.${old}`])].filter((a) => a !== `${P}.${name}`),
      schema: () => z.strictObject(shape()),
    }),
  ),
  {
    type: `${P}.MultipleCondition`,
    kind: 'condition',
    aliases: [`${OLD}.MultipleCondition`],
    schema: () =>
      z.strictObject({
        id: str().optional(),
        window: duration().optional(),
        windowAdvance: duration().optional(),
        timeWindow: TIME_WINDOW().optional(),
        conditions: record(),
        resetOnSuccess: bool().optional(),
      }),
  },
]);
