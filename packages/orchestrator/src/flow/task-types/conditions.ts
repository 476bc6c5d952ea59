import { z } from 'zod';
import { nonEmptyStr, record, str, typeError } from '../schema-kit.js';
import type { TypeDefinition } from '../type-definition.js';

const P = 'io.kestra.plugin.core.condition';
const OLD = 'io.kestra.core.models.conditions.types';
const STATES = z.array(str(), { error: typeError('expected a list of states') });
const loose = z.looseObject({});

/** The trigger conditions: the ones the corpus uses are checked strictly, the rest accepted as written. */
export const CONDITIONS: TypeDefinition[] = [
  {
    type: `${P}.ExecutionStatus`,
    kind: 'condition',
    aliases: [`${P}.ExecutionStatusCondition`, `${OLD}.ExecutionStatusCondition`],
    schema: z.strictObject({ in: STATES.optional(), notIn: STATES.optional() }),
  },
  {
    type: `${P}.ExecutionFlow`,
    kind: 'condition',
    aliases: [`${P}.ExecutionFlowCondition`, `${OLD}.ExecutionFlowCondition`],
    schema: z.strictObject({ namespace: nonEmptyStr(), flowId: nonEmptyStr() }),
  },
  {
    type: `${P}.Expression`,
    kind: 'condition',
    aliases: [`${P}.ExpressionCondition`, `${OLD}.VariableCondition`, `${OLD}.ExpressionCondition`],
    schema: z.strictObject({ expression: nonEmptyStr() }),
  },
  {
    type: `${P}.ExecutionNamespace`,
    kind: 'condition',
    aliases: [`${P}.ExecutionNamespaceCondition`, `${OLD}.ExecutionNamespaceCondition`],
    schema: z.strictObject({
      namespace: nonEmptyStr(),
      comparison: str().optional(),
      prefix: z.boolean().optional(),
    }),
  },
  {
    type: `${P}.ExecutionLabels`,
    kind: 'condition',
    aliases: [`${P}.ExecutionLabelsCondition`, `${OLD}.ExecutionLabelsCondition`],
    schema: z.strictObject({ labels: z.union([record(), z.array(z.unknown())]) }),
  },
  ...(
    [
      ['ExecutionOutputs', 'ExecutionOutputsCondition'],
      ['FlowCondition', 'FlowCondition'],
      ['FlowNamespaceCondition', 'FlowNamespaceCondition'],
      ['HasRetryAttempt', 'HasRetryAttemptCondition'],
      ['DateTimeBetween', 'DateTimeBetweenCondition'],
      ['DayWeek', 'DayWeekCondition'],
      ['DayWeekInMonth', 'DayWeekInMonthCondition'],
      ['TimeBetween', 'TimeBetweenCondition'],
      ['Weekend', 'WeekendCondition'],
      ['PublicHoliday', 'PublicHolidayCondition'],
      ['Not', 'NotCondition'],
      ['Or', 'OrCondition'],
      ['MultipleCondition', 'MultipleCondition'],
    ] as const
  ).map(
    ([name, old]): TypeDefinition => ({
      type: `${P}.${name}`,
      kind: 'condition',
      aliases: [...new Set([`${P}.${old}`, `${OLD}.${old}`])].filter((a) => a !== `${P}.${name}`),
      schema: loose,
    }),
  ),
];
