import { z } from 'zod';
import { bool, cron, duration, int, nonEmptyStr, oneOf, record, str, typeError } from '../schema-kit.js';
import { lazySchemas, type TypeDefinition } from '../type-definition.js';
import { TIME_WINDOW } from './conditions.js';

const P = 'io.kestra.plugin.core.trigger';
const OLD = 'io.kestra.core.models.triggers.types';
const STATES = () => z.array(str(), { error: typeError('expected a list of states') });

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
const PRECONDITIONS = () =>
  z.strictObject({
    id: str().optional(),
    timeWindow: TIME_WINDOW().optional(),
    resetOnSuccess: bool().optional(),
    flows: z
      .array(
        z.strictObject({
          namespace: nonEmptyStr(),
          flowId: str().optional(),
          states: STATES().optional(),
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
export const TRIGGERS: TypeDefinition[] = lazySchemas([
  {
    type: `${P}.Schedule`,
    kind: 'trigger',
    aliases: [`${OLD}.Schedule`],
    schema: () =>
      z.strictObject({
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
    schema: () =>
      z.strictObject({
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
    schema: () =>
      z.strictObject({
        inputs: record().optional(),
        states: STATES().optional(),
        preconditions: PRECONDITIONS().optional(),
        // Kestra 2.0 (DIALECTS.md); refused on a 1.3 tenant by the dialect pass.
        dependsOn: z
          .array(
            z.strictObject({
              namespace: str().optional(),
              flowId: str().optional(),
              states: STATES().optional(),
              labels: z
                .union([record(), z.array(z.unknown())], { error: typeError('expected a map of labels') })
                .optional(),
              when: str().optional(),
            }),
            { error: typeError('expected a list of {namespace, flowId, states, labels, when}') },
          )
          .optional(),
        window: z
          .strictObject({
            deadline: str().optional(),
            from: str().optional(),
            to: str().optional(),
            every: duration().optional(),
            offset: duration().optional(),
            lookback: duration().optional(),
            timezone: str().optional(),
            fireOnce: bool().optional(),
          })
          .optional(),
        mode: oneOf(['ALL', 'ANY', 'AT_LEAST']).optional(),
        minSatisfied: int(1).optional(),
        onMiss: record().optional(),
      }),
    notExecuted: {
      onMiss: 'no FAILED execution is created when a window passes unmet',
    },
  },
]);
