import { z } from 'zod';
import { bool, cron, duration, int, nonEmptyStr, oneOf, record, str, typeError } from '../schema-kit.js';
import type { TypeDefinition } from '../type-definition.js';

const P = 'io.kestra.plugin.core.trigger';
const OLD = 'io.kestra.core.models.triggers.types';
const STATES = z.array(str(), { error: typeError('expected a list of states') });

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
      backfill: record().optional(),
      lateMaximumDelay: duration().optional(),
      recoverMissedSchedules: oneOf(['LAST', 'NONE', 'ALL']).optional(),
      scheduleConditions: z.array(record()).optional(),
    }),
    notExecuted: {
      backfill: 'no backfill: a schedule fires from its save onwards (recoverMissedSchedules applies)',
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
      preconditions: record().optional(),
      // Kestra 2.0 (DIALECTS.md); refused on a 1.3 tenant by the dialect pass.
      dependsOn: z
        .array(
          z.strictObject({
            namespace: str().optional(),
            flowId: str().optional(),
            states: STATES.optional(),
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
      preconditions: 'use `conditions` (ExecutionFlow, ExecutionStatus, ...)',
      onMiss: 'no FAILED execution is created when a window passes unmet',
    },
  },
];
