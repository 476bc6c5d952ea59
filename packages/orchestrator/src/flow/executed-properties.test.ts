import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { parseFlow } from './parse-flow.js';
import { knownTypes, lookupType } from './task-registry.js';

/**
 * "Never accept what is not run" (issue 13 §1), checked two ways:
 *
 * 1. Statically: every property of every registered schema must either be
 *    declared `notExecuted` (refused at save) or be named in the code that
 *    executes the type (IMPLEMENTED_IN, comments stripped). Adding a property
 *    to a schema without writing the code that reads it fails here; so does
 *    registering a type without saying where it runs.
 * 2. At save: each `notExecuted` property and each `notExecutedType` is
 *    refused with its YAML path and line.
 */
const SRC = join(import.meta.dirname, '..');
const P = 'io.kestra.plugin.core';
const SHELL = ['worker/tasks/scripts/shell-tasks.ts'];
const KV = ['worker/tasks/kv/kv-tasks.ts', 'worker/tasks/kv/render-props.ts'];
const WALK = ['executor/walk.ts'];
const CHILD = ['executor/subflow.ts', 'executor/for-each-item.ts', 'executor/decide.ts'];
const CONDITIONS = ['triggers/conditions.ts', 'triggers/multiple-condition.ts', 'triggers/preconditions.ts'];

/** Where each type's properties are read (files under src/). */
const IMPLEMENTED_IN: Record<string, string[]> = {
  [`${P}.log.Log`]: ['worker/tasks/core-tasks.ts'],
  [`${P}.debug.Return`]: ['worker/tasks/core-tasks.ts'],
  [`${P}.debug.Echo`]: ['worker/tasks/core-tasks.ts'],
  [`${P}.output.OutputValues`]: ['worker/tasks/core-tasks.ts'],
  [`${P}.execution.Fail`]: ['worker/tasks/core-tasks.ts', ...WALK],
  [`${P}.execution.Exit`]: [],
  [`${P}.execution.Labels`]: ['worker/tasks/core-tasks.ts', 'executor/decide.ts'],
  [`${P}.kv.Set`]: KV,
  [`${P}.kv.Get`]: KV,
  [`${P}.kv.Delete`]: KV,
  [`${P}.kv.GetKeys`]: KV,
  [`${P}.kv.PurgeKV`]: KV,
  [`${P}.execution.PurgeExecutions`]: ['worker/tasks/purge-tasks.ts'],
  [`${P}.log.PurgeLogs`]: ['worker/tasks/purge-tasks.ts'],
  [`${P}.http.Request`]: ['worker/tasks/http/http-request.ts'],
  [`${P}.http.Download`]: ['worker/tasks/http/http-download.ts', 'worker/tasks/http/http-request.ts'],
  'io.kestra.plugin.scripts.shell.Commands': SHELL,
  'io.kestra.plugin.scripts.shell.Script': SHELL,
  [`${P}.flow.Subflow`]: CHILD,
  [`${P}.flow.ForEachItem`]: CHILD,
  [`${P}.flow.Sleep`]: ['executor/task-index.ts', ...WALK],
  [`${P}.flow.Sequential`]: WALK,
  [`${P}.flow.Parallel`]: WALK,
  [`${P}.flow.AllowFailure`]: WALK,
  [`${P}.flow.If`]: WALK,
  [`${P}.flow.Switch`]: WALK,
  [`${P}.flow.ForEach`]: WALK,
  [`${P}.flow.EachSequential`]: WALK,
  [`${P}.flow.EachParallel`]: WALK,
  [`${P}.flow.Dag`]: WALK,
  [`${P}.flow.Pause`]: [...WALK, 'executor/decide.ts'],
  [`${P}.flow.LoopUntil`]: WALK,
  [`${P}.flow.WorkingDirectory`]: WALK,
  [`${P}.flow.Loop`]: ['executor/loop.ts'],
  [`${P}.trigger.Schedule`]: ['scheduler/schedule.ts', 'runner/instance-triggers.ts'],
  [`${P}.trigger.Webhook`]: ['triggers/webhook.ts', 'http/webhook-routes.ts'],
  [`${P}.trigger.Flow`]: [
    'triggers/flow-trigger.ts',
    'triggers/multiple-condition.ts',
    'triggers/depends-on.ts',
  ],
};

/** The top-level keys of a zod object schema. */
function keysOf(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (!shape) throw new Error('schema without a shape: registered schemas must be zod objects');
  return Object.keys(shape);
}

/** A source file without its comments, so that documenting a property does not count as reading it. */
function code(file: string): string {
  return readFileSync(join(SRC, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('every parsed property is executed or refused', () => {
  const all = [...knownTypes('task'), ...knownTypes('trigger'), ...knownTypes('condition')];

  it('names where each task and trigger type runs', () => {
    const missing = all.filter((t) => lookupType(t)?.kind !== 'condition' && !(t in IMPLEMENTED_IN));
    expect(missing, 'add these types to IMPLEMENTED_IN').toEqual([]);
  });

  for (const type of all) {
    it(type, () => {
      const def = lookupType(type)!;
      if (def.notExecutedType !== undefined) return;
      const files = def.kind === 'condition' ? CONDITIONS : (IMPLEMENTED_IN[type] ?? []);
      const text = files.map(code).join('\n');
      const refused = new Set(Object.keys(def.notExecuted ?? {}));
      const unread = keysOf(def.schema).filter(
        (k) => !refused.has(k) && !new RegExp(`(?<![\\w$])${k}(?![\\w$])`).test(text),
      );
      expect(unread, `properties of ${type} parsed but never read in ${files.join(', ')}`).toEqual([]);
      for (const k of refused) expect(keysOf(def.schema), `notExecuted ${k} is a property`).toContain(k);
    });
  }
});

/** The keys of a nested zod object schema (through optional and array wrappers). */
function nestedKeys(schema: z.ZodType, key: string): string[] {
  let inner = (schema as unknown as { shape: Record<string, z.ZodType> }).shape[key] as unknown as {
    unwrap?: () => unknown;
    element?: unknown;
    shape?: Record<string, unknown>;
  };
  for (let i = 0; i < 4 && !inner.shape; i++)
    inner = (inner.unwrap ? inner.unwrap() : inner.element) as typeof inner;
  return Object.keys(inner.shape ?? {});
}

describe('the Kestra 2.0 constructs are executed too (the dialect layer adds no dead property)', () => {
  it('reads every key of a Flow trigger dependsOn entry and window', () => {
    const def = lookupType(`${P}.trigger.Flow`)!;
    const text = code('triggers/depends-on.ts');
    for (const key of ['dependsOn', 'window']) {
      const unread = nestedKeys(def.schema, key).filter(
        (k) => !new RegExp(`(?<![\\w$])${k}(?![\\w$])`).test(text),
      );
      expect(unread, `${key} keys never read in triggers/depends-on.ts`).toEqual([]);
    }
  });

  it('reads each Loop output and the trigger/check `when`', () => {
    const loop = code('executor/loop.ts');
    for (const k of nestedKeys(lookupType(`${P}.flow.Loop`)!.schema, 'outputs').filter(
      (k) => k === 'id' || k === 'value',
    ))
      expect(loop).toMatch(new RegExp(`\\.${k}\\b`));
    expect(code('flow/parse-trigger.ts')).toMatch(/common\.data\.when/);
    expect(code('runner/flow-checks.ts')).toMatch(/c\.when/);
  });
});

describe('what is not executed is refused at save with its path and line', () => {
  const save = (yaml: string) => {
    const r = parseFlow(yaml);
    if (r.ok) throw new Error('the flow was accepted');
    return r.issues;
  };

  it('refuses a property that is parsed but not executed', () => {
    const issues = save(
      [
        'id: f',
        'namespace: n',
        'tasks:',
        '  - id: s',
        '    type: io.kestra.plugin.scripts.shell.Commands',
        '    commands: [echo]',
        '    containerImage: ubuntu',
      ].join('\n'),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'tasks[0].containerImage',
        line: 7,
        message: expect.stringMatching(
          /^property "containerImage" of .*shell\.Commands is not executed by Silo/,
        ),
      }),
    ]);
  });

  it('refuses a type that is not executed, nested or not', () => {
    const issues = save(
      [
        'id: f',
        'namespace: n',
        'tasks:',
        '  - id: l',
        '    type: io.kestra.plugin.core.log.Log',
        '    message: hi',
        'triggers:',
        '  - id: t',
        '    type: io.kestra.plugin.core.trigger.Flow',
        '    conditions:',
        '      - type: io.kestra.plugin.core.condition.Not',
        '        conditions:',
        '          - type: io.kestra.plugin.core.condition.MultipleCondition',
        '            conditions: {}',
      ].join('\n'),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'triggers[0].conditions[0].conditions[0].type',
        line: 13,
        message: expect.stringContaining('is not executed by Silo'),
      }),
    ]);
  });

  it('refuses an HTTP option that is not read, and a task runner other than Process', () => {
    const issues = save(
      [
        'id: f',
        'namespace: n',
        'tasks:',
        '  - id: h',
        '    type: io.kestra.plugin.core.http.Request',
        '    uri: http://127.0.0.1/',
        '    options: { proxyAddress: x }',
        '  - id: s',
        '    type: io.kestra.plugin.scripts.shell.Commands',
        '    commands: [echo]',
        '    taskRunner: { type: io.kestra.plugin.scripts.runner.docker.Docker }',
      ].join('\n'),
    );
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['tasks[0].options.proxyAddress', 7],
      ['tasks[1].taskRunner', 11],
    ]);
  });
});
