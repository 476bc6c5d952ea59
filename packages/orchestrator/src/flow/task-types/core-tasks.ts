import { z } from 'zod';
import {
  bool,
  duration,
  int,
  nonEmptyStr,
  oneOf,
  prop,
  record,
  str,
  strOrList,
  typeError,
} from '../schema-kit.js';
import { lazySchemas, type TypeDefinition } from '../type-definition.js';

/** What http.Request and http.Download share: the call itself (their schemas are built on first use). */
const HTTP_CALL = () => ({
  uri: prop(nonEmptyStr()),
  method: prop(oneOf(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'])).optional(),
  body: z.unknown().optional(),
  contentType: prop(str()).optional(),
  headers: prop(record()).optional(),
  formData: prop(record()).optional(),
  params: prop(record()).optional(),
  options: record().superRefine(onlyReadOptions).optional(),
});

/** The `options` keys that http.Request reads (worker/tasks/http/http-request.ts). */
const HTTP_OPTIONS = new Set([
  'timeout',
  'readTimeout',
  'connectTimeout',
  'allowFailed',
  'followRedirects',
  'maxContentLength',
  'auth',
]);
/** Refuses the `options` keys that the HTTP tasks do not read. */
function onlyReadOptions(o: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const k of Object.keys(o))
    if (!HTTP_OPTIONS.has(k))
      ctx.addIssue({
        code: 'custom',
        path: [k],
        message: `option "${k}" is not executed by Silo (it reads ${[...HTTP_OPTIONS].join(', ')})`,
      });
}
const LEVEL = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
const P = 'io.kestra.plugin.core';
const OLD = 'io.kestra.core.tasks';

/** Kestra's task runner that runs a script as a local process: the only one Silo has. */
export const PROCESS_RUNNER = 'io.kestra.plugin.core.runner.Process';

/** Properties shared by the script tasks. */
const scriptCommon = () => ({
  env: prop(record()).optional(),
  beforeCommands: prop(z.array(str())).optional(),
  interpreter: prop(z.array(str())).optional(),
  containerImage: str().optional(),
  taskRunner: z
    .looseObject({ type: str() }, { error: typeError('expected a map with a type') })
    .refine((r) => r.type === PROCESS_RUNNER, {
      error: (iss) =>
        `task runner "${String((iss.input as { type?: unknown })?.type)}" is not executed by Silo: scripts run as local processes (${PROCESS_RUNNER})`,
    })
    .optional(),
  docker: record().optional(),
  runner: str().optional(),
  inputFiles: z.unknown().optional(),
  outputFiles: prop(z.array(str())).optional(),
  namespaceFiles: z
    .strictObject({
      enabled: prop(bool()).optional(),
      include: prop(z.array(str())).optional(),
      exclude: prop(z.array(str())).optional(),
      namespaces: prop(z.array(str())).optional(),
      folderPerNamespace: prop(bool()).optional(),
    })
    .optional(),
  warningOnStdErr: prop(bool()).optional(),
  failFast: prop(bool()).optional(),
  targetOS: str().optional(),
  outputDirectory: bool().optional(),
});
const NO_FILES = 'no output directory is made: use outputFiles';
/** The script properties that Silo does not execute (yet). */
const scriptNotExecuted = {
  containerImage: 'scripts run as local processes, not in containers',
  docker: 'scripts run as local processes, not in containers',
  runner: 'scripts run as local processes (PROCESS)',
  outputDirectory: NO_FILES,
  warningOnStdErr: 'stderr lines are logged as ERROR; the task state does not follow them',
  targetOS: 'scripts run on the instance host',
};

/** Properties shared by the tasks that start child executions (Subflow, ForEachItem). */
const childExecutionProps = () => ({
  namespace: nonEmptyStr(),
  flowId: nonEmptyStr(),
  revision: int(1).optional(),
  inputs: record().optional(),
  labels: z
    .union([record(), z.array(z.unknown())], {
      error: typeError('expected a map or a list of {key, value}'),
    })
    .optional(),
  wait: bool().optional(),
  transmitFailed: bool().optional(),
  inheritLabels: bool().optional(),
  scheduleDate: prop(str()).optional(),
  restartBehavior: oneOf(['NEW_EXECUTION', 'RETRY_FAILED']).optional(),
});

/** The runnable core tasks: logs, debug, outputs, execution control, KV, HTTP, shell scripts. */
export const CORE_TASKS: TypeDefinition[] = lazySchemas([
  {
    type: `${P}.log.Log`,
    kind: 'task',
    aliases: [`${OLD}.log.Log`],
    schema: () => z.strictObject({ message: strOrList(), level: prop(oneOf(LEVEL)).optional() }),
  },
  {
    type: `${P}.debug.Return`,
    kind: 'task',
    aliases: [`${OLD}.debugs.Return`],
    schema: () => z.strictObject({ format: prop(str()).optional() }),
  },
  {
    type: `${P}.debug.Echo`,
    kind: 'task',
    aliases: [`${OLD}.debugs.Echo`],
    schema: () => z.strictObject({ format: str(), level: prop(oneOf(LEVEL)).optional() }),
  },
  {
    type: `${P}.output.OutputValues`,
    kind: 'task',
    aliases: [`${OLD}.outputs.OutputValues`],
    schema: () => z.strictObject({ values: prop(record()).optional() }),
  },
  {
    type: `${P}.execution.Fail`,
    kind: 'task',
    aliases: [`${OLD}.executions.Fail`],
    schema: () =>
      z.strictObject({
        condition: prop(z.union([str(), bool()])).optional(),
        errorMessage: prop(str()).optional(),
      }),
  },
  {
    type: `${P}.execution.Exit`,
    kind: 'task',
    schema: () =>
      z.strictObject({
        condition: prop(z.union([str(), bool()])).optional(),
        state: prop(oneOf(['SUCCESS', 'WARNING', 'KILLED', 'FAILED', 'CANCELED'])).optional(),
      }),
    notExecutedType: 'no worker ends an execution early with a chosen state; use execution.Fail',
  },
  {
    type: `${P}.execution.Labels`,
    kind: 'task',
    aliases: [`${OLD}.executions.Labels`],
    schema: () =>
      z.strictObject({
        labels: z.union([str(), record(), z.array(z.unknown())], {
          error: typeError('expected a map, a list of {key, value} or a template'),
        }),
      }),
  },
  {
    type: `${P}.kv.Set`,
    kind: 'task',
    schema: () =>
      z.strictObject({
        key: prop(nonEmptyStr()),
        value: z.unknown(),
        namespace: prop(str()).optional(),
        overwrite: prop(bool()).optional(),
        ttl: prop(duration()).optional(),
        kvType: prop(
          oneOf(['STRING', 'NUMBER', 'BOOLEAN', 'DATETIME', 'DATE', 'DURATION', 'JSON']),
        ).optional(),
        kvDescription: prop(str()).optional(),
      }),
    durations: ['ttl'],
  },
  {
    type: `${P}.kv.Get`,
    kind: 'task',
    schema: () =>
      z.strictObject({
        key: prop(nonEmptyStr()),
        namespace: prop(str()).optional(),
        errorOnMissing: prop(bool()).optional(),
      }),
  },
  {
    type: `${P}.kv.Delete`,
    kind: 'task',
    schema: () =>
      z.strictObject({
        key: prop(nonEmptyStr()),
        namespace: prop(str()).optional(),
        errorOnMissing: prop(bool()).optional(),
      }),
  },
  {
    type: `${P}.kv.GetKeys`,
    kind: 'task',
    schema: () => z.strictObject({ prefix: prop(str()).optional(), namespace: prop(str()).optional() }),
  },
  {
    type: `${P}.kv.PurgeKV`,
    kind: 'task',
    schema: () =>
      z.strictObject({
        namespaces: prop(z.array(str())).optional(),
        includeChildNamespaces: prop(bool()).optional(),
        expiredOnly: prop(bool()).optional(),
        keyPattern: prop(str()).optional(),
      }),
  },
  {
    type: `${P}.http.Request`,
    kind: 'task',
    aliases: ['io.kestra.plugin.fs.http.Request'],
    schema: () =>
      z.strictObject({
        ...HTTP_CALL(),
        sslOptions: record().optional(),
        encryptBody: prop(bool()).optional(),
        failOnEmptyResponse: prop(bool()).optional(),
      }),
    notExecuted: {
      sslOptions: 'TLS settings are those of the instance',
      encryptBody: 'bodies are not encrypted in the output',
      failOnEmptyResponse: 'an empty response is a success',
    },
  },
  {
    type: `${P}.http.Download`,
    kind: 'task',
    schema: () =>
      z.strictObject({
        ...HTTP_CALL(),
        failOnEmptyResponse: prop(bool()).optional(),
      }),
  },
  {
    type: 'io.kestra.plugin.scripts.shell.Commands',
    kind: 'task',
    schema: () => z.strictObject({ commands: prop(strOrList()), ...scriptCommon() }),
    notExecuted: scriptNotExecuted,
  },
  {
    type: 'io.kestra.plugin.scripts.shell.Script',
    kind: 'task',
    schema: () => z.strictObject({ script: prop(str()), ...scriptCommon() }),
    notExecuted: scriptNotExecuted,
  },
  {
    type: `${P}.flow.Subflow`,
    kind: 'task',
    aliases: [`${OLD}.flows.Subflow`, `${OLD}.flows.Flow`, `${P}.flow.Flow`],
    schema: () => z.strictObject({ ...childExecutionProps(), outputs: record().optional() }),
    notExecuted: {
      scheduleDate: 'child executions start at once',
      restartBehavior: 'a restarted parent restarts its failed child (RETRY_FAILED) only',
    },
  },
  {
    type: `${P}.flow.ForEachItem`,
    kind: 'task',
    aliases: [`${OLD}.flows.ForEachItem`],
    schema: () =>
      z.strictObject({
        items: nonEmptyStr(),
        batch: z
          .strictObject({
            rows: prop(int(1)).optional(),
            bytes: prop(z.union([str(), int(1)])).optional(),
            partitions: prop(int(1)).optional(),
            separator: prop(str()).optional(),
          })
          .optional(),
        ...childExecutionProps(),
      }),
    notExecuted: { scheduleDate: 'child executions start at once' },
  },
  {
    type: `${P}.flow.Sleep`,
    kind: 'task',
    schema: () => z.strictObject({ duration: prop(duration()) }),
    durations: ['duration'],
  },
]);
