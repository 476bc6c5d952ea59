import { z } from 'zod';
import { bool, duration, int, oneOf, prop, record, str, taskList, typeError } from '../schema-kit.js';
import { lazySchemas, type TypeDefinition } from '../type-definition.js';

const P = 'io.kestra.plugin.core.flow';
const OLD = 'io.kestra.core.tasks.flows';

/** ForEach/EachSequential values: a JSON string, a template, or a list. */
const values = () =>
  z.union([str(), z.array(z.unknown())], { error: typeError('expected a list or a JSON string') });

/** The flowable core tasks: they run no code themselves, they schedule their children. */
export const FLOWABLE_TASKS: TypeDefinition[] = lazySchemas([
  {
    type: `${P}.Sequential`,
    kind: 'task',
    aliases: [`${OLD}.Sequential`],
    schema: () => z.strictObject({ tasks: taskList().optional() }),
    children: [{ key: 'tasks', shape: 'list' }],
  },
  {
    type: `${P}.Parallel`,
    kind: 'task',
    aliases: [`${OLD}.Parallel`],
    schema: () => z.strictObject({ tasks: taskList().optional(), concurrent: int(0).optional() }),
    children: [{ key: 'tasks', shape: 'list' }],
  },
  {
    type: `${P}.AllowFailure`,
    kind: 'task',
    aliases: [`${OLD}.AllowFailure`],
    schema: () => z.strictObject({ tasks: taskList().optional() }),
    children: [{ key: 'tasks', shape: 'list' }],
  },
  {
    type: `${P}.If`,
    kind: 'task',
    aliases: [`${OLD}.If`],
    schema: () =>
      z.strictObject({
        condition: z.union([str(), bool()], {
          error: typeError('expected a condition (a template or a boolean)'),
        }),
        // biome-ignore lint/suspicious/noThenProperty: Kestra's If task names its branch `then`
        then: taskList().optional(),
        else: taskList().optional(),
      }),
    children: [
      { key: 'then', shape: 'list' },
      { key: 'else', shape: 'list' },
    ],
  },
  {
    type: `${P}.Switch`,
    kind: 'task',
    aliases: [`${OLD}.Switch`],
    schema: () =>
      z.strictObject({
        value: z.union([str(), z.number(), z.boolean()], {
          error: typeError('expected a value or a template'),
        }),
        cases: z
          .record(z.string(), taskList(), { error: typeError('expected a map of value → list of tasks') })
          .optional(),
        defaults: taskList().optional(),
      }),
    children: [
      { key: 'cases', shape: 'map' },
      { key: 'defaults', shape: 'list' },
    ],
  },
  {
    type: `${P}.ForEach`,
    kind: 'task',
    aliases: [`${OLD}.ForEach`],
    schema: () =>
      z.strictObject({
        values: values(),
        concurrencyLimit: int(0).optional(),
        tasks: taskList().optional(),
      }),
    children: [{ key: 'tasks', shape: 'list' }],
  },
  {
    type: `${P}.EachSequential`,
    kind: 'task',
    aliases: [`${OLD}.EachSequential`],
    schema: () => z.strictObject({ value: values(), tasks: taskList().optional() }),
    children: [{ key: 'tasks', shape: 'list' }],
  },
  {
    type: `${P}.EachParallel`,
    kind: 'task',
    aliases: [`${OLD}.EachParallel`],
    schema: () =>
      z.strictObject({ value: values(), concurrent: int(0).optional(), tasks: taskList().optional() }),
    children: [{ key: 'tasks', shape: 'list' }],
  },
  {
    type: `${P}.Dag`,
    kind: 'task',
    aliases: [`${OLD}.Dag`],
    schema: () =>
      z.strictObject({
        concurrent: int(0).optional(),
        tasks: z
          .array(
            z.strictObject({
              task: z.unknown(),
              dependsOn: z.array(str(), { error: typeError('expected a list of task ids') }).optional(),
            }),
            { error: typeError('expected a list of {task, dependsOn}') },
          )
          .optional(),
      }),
    children: [{ key: 'tasks', shape: 'dag' }],
  },
  {
    type: `${P}.Pause`,
    kind: 'task',
    aliases: [`${OLD}.Pause`],
    schema: () =>
      z.strictObject({
        delay: prop(duration()).optional(),
        pauseDuration: prop(duration()).optional(),
        behavior: prop(oneOf(['RESUME', 'WARN', 'FAIL', 'CANCEL'])).optional(),
        onResume: z.array(record()).optional(),
        tasks: taskList().optional(),
      }),
    children: [{ key: 'tasks', shape: 'list' }],
    childrenRequired: false,
    durations: ['delay', 'pauseDuration'],
  },
  {
    // Kestra 2.0 (DIALECTS.md); refused on a 1.3 tenant by the dialect pass.
    type: `${P}.Loop`,
    kind: 'task',
    schema: () =>
      z.strictObject({
        values: z.union([str(), z.array(z.unknown()), record()], {
          error: typeError('expected a list, a map or a JSON string'),
        }),
        tasks: taskList().optional(),
        concurrencyLimit: int(0).optional(),
        transmitFailed: bool().optional(),
        outputs: z
          .array(
            z.strictObject({
              id: str(),
              type: str(),
              value: z.unknown(),
              description: str().optional(),
              required: bool().optional(),
            }),
            { error: typeError('expected a list of {id, type, value}') },
          )
          .optional(),
        fetchType: oneOf(['AUTO', 'FETCH']).optional(),
        breakWhen: str().optional(),
      }),
    children: [{ key: 'tasks', shape: 'list' }],
  },
  {
    type: `${P}.LoopUntil`,
    kind: 'task',
    aliases: [`${P}.WaitFor`],
    schema: () =>
      z.strictObject({
        condition: z.union([str(), bool()], {
          error: typeError('expected a condition (a template or a boolean)'),
        }),
        tasks: taskList().optional(),
        failOnMaxReached: bool().optional(),
        checkFrequency: z
          .strictObject({
            maxIterations: int(1).optional(),
            maxDuration: duration().optional(),
            interval: duration().optional(),
          })
          .optional(),
      }),
    children: [{ key: 'tasks', shape: 'list' }],
  },
  {
    type: `${P}.WorkingDirectory`,
    kind: 'task',
    aliases: [`${OLD}.WorkingDirectory`],
    schema: () =>
      z.strictObject({
        tasks: taskList().optional(),
        namespaceFiles: record().optional(),
        inputFiles: z.unknown().optional(),
        outputFiles: z.array(str()).optional(),
        cache: record().optional(),
      }),
    notExecuted: {
      namespaceFiles: 'files for scripts are not implemented yet (issue 13 §2)',
      inputFiles: 'files for scripts are not implemented yet (issue 13 §2)',
      outputFiles: 'files for scripts are not implemented yet (issue 13 §2)',
      cache: 'the working directory is not cached between executions',
    },
    children: [{ key: 'tasks', shape: 'list' }],
  },
]);
