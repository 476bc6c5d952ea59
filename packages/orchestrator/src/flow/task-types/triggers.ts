import { z } from 'zod';
import { bool, cron, duration, nonEmptyStr, oneOf, record, str, typeError } from '../schema-kit.js';
import type { TypeDefinition } from '../type-definition.js';
import { TIME_WINDOW } from './conditions.js';

const P = 'io.kestra.plugin.core.trigger';
const OLD = 'io.kestra.core.models.triggers.types';
const STATES = z.array(str(), { error: typeError('expected a list of states') });

const FILTER_TYPES = [
  'EQUAL_TO',
  'NOT_EQUAL_TO',
  'IS_NULL',
  'IS_NOT_NULL',
  'IS_TRUE',
  'IS_FALSE',
  'STARTS_WITH',
  'ENDS_WITH',
  'REGEX',
  'CONTAINS',
  'IN',
  'NOT_IN',
] as const;
/** A Flow trigger's `preconditions` (triggers/preconditions.ts evaluates it). */
const PRECONDITIONS = z.strictObject({
  id: str().optional(),
  timeWindow: TIME_WINDOW.optional(),
  resetOnSuccess: bool().optional(),
  flows: z
    .array(
      z.strictObject({
        namespace: nonEmptyStr(),
        flowId: str().optional(),
        states: STATES.optional(),
        labels: record().optional(),
      }),
    )
    .optional(),
  where: z
    .array(
      z.strictObject({
        id: nonEmptyStr(),
        operand: oneOf(['AND', 'OR']).optional(),
        filters: z.array(
          z.strictObject({
            field: oneOf(['FLOW_ID', 'NAMESPACE', 'STATE', 'EXPRESSION']),
            type: oneOf(FILTER_TYPES),
            value: str().optional(),
            values: z.array(str()).optional(),
          }),
        ),
      }),
    )
    .optional(),
});

/** The core triggers. Common trigger properties (`id`, `conditions`, `disabled`, ...) are checked by the parser. */
export const TRIGGERS: TypeDefinition[] = [
  {
    type: `${P}.Schedule`,
    kind: 'trigger',
    aliases: [`${OLD}.Schedule`],
    schema: z.strictObject({
      cron: cron(),
      withSeconds: bool().optional(),
      timezone: str().optional(),
      inputs: record().optional(),
      backfill: z.strictObject({ start: str(), end: str().optional() }).optional(),
      lateMaximumDelay: duration().optional(),
      recoverMissedSchedules: oneOf(['LAST', 'NONE', 'ALL']).optional(),
      scheduleConditions: z.array(record()).optional(),
    }),
    notExecuted: {
      scheduleConditions: 'use the trigger `conditions`',
    },
    durations: ['lateMaximumDelay'],
  },
  {
    type: `${P}.Webhook`,
    kind: 'trigger',
    aliases: [`${OLD}.Webhook`],
    schema: z.strictObject({
      key: nonEmptyStr(),
      inputs: record().optional(),
      wait: bool().optional(),
      returnOutputs: bool().optional(),
    }),
  },
  {
    type: `${P}.Flow`,
    kind: 'trigger',
    aliases: [`${OLD}.Flow`],
    schema: z.strictObject({
      inputs: record().optional(),
      states: STATES.optional(),
      preconditions: PRECONDITIONS.optional(),
    }),
  },
];
