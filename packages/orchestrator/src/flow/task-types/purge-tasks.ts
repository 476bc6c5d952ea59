import { z } from 'zod';
import { bool, int, prop, str } from '../schema-kit.js';
import { lazySchemas, type TypeDefinition } from '../type-definition.js';

const P = 'io.kestra.plugin.core';
const LIST = () => prop(z.array(str()));

/** The purge tasks: ended executions with their logs and files, and log lines (worker/tasks/purge-tasks.ts). */
export const PURGE_TASKS: TypeDefinition[] = lazySchemas([
  {
    type: `${P}.execution.PurgeExecutions`,
    kind: 'task',
    aliases: ['io.kestra.core.tasks.storages.Purge', `${P}.storage.Purge`],
    schema: () =>
      z.strictObject({
        namespace: prop(str()).optional(),
        flowId: prop(str()).optional(),
        startDate: prop(str()).optional(),
        endDate: prop(str()),
        states: LIST().optional(),
        purgeExecution: prop(bool()).optional(),
        purgeLog: prop(bool()).optional(),
        purgeMetric: prop(bool()).optional(),
        purgeStorage: prop(bool()).optional(),
        batchSize: prop(int(1)).optional(),
      }),
  },
  {
    type: `${P}.log.PurgeLogs`,
    kind: 'task',
    schema: () =>
      z.strictObject({
        namespace: prop(str()).optional(),
        flowId: prop(str()).optional(),
        executionId: prop(str()).optional(),
        logLevels: LIST().optional(),
        startDate: prop(str()).optional(),
        endDate: prop(str()),
      }),
  },
]);
