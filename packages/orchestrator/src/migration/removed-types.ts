import type { Scalar } from 'yaml';
import { type MigrationContext, pairOf, tasksOf, triggersOf } from './migration-context.js';

/** Core types 2.0 removed with no mechanical replacement (CHANGES.md A.9), by the part of the type that names them. */
const REMOVED: [RegExp, string][] = [
  [/\.core\.execution\.Count$/, 'execution.Count is removed in 2.0 (no replacement)'],
  [/\.core\.execution\.Resume$/, 'execution.Resume is removed in 2.0: resume through the API'],
  [/\.core\.trigger\.Toggle$/, 'trigger.Toggle is removed in 2.0: toggle through the API'],
  [/\.core\.log\.Fetch$/, 'log.Fetch is io.kestra.plugin.kestra.logs.Fetch in 2.0 (needs API credentials)'],
  [/\.core\.state\.\w+$/, 'state.* is kv.* in 2.0 (name → key, data → value)'],
  [/\.core\.storage\.Purge$/, 'storage.Purge is execution.PurgeExecutions in 2.0'],
  [/\.core\.storage\.PurgeExecution$/, 'storage.PurgeExecution is storage.PurgeCurrentExecutionFiles in 2.0'],
  [/\.core\.flow\.Template$/, 'templates are removed in 2.0: call a Subflow'],
  [
    /^io\.kestra\.core\.(tasks|models)\./,
    'pre-0.17 type names are removed in 2.0: use io.kestra.plugin.core.*',
  ],
  [/Condition$/, '…Condition type names are removed in 2.0'],
];

/**
 * Removed types → manual; `debug.Echo` → `log.Log` (`format` → `message`) is
 * mechanical. Task keys 2.0 refuses: `workerGroup` (manual), `Subflow.outputs`
 * (manual: the child declares flow outputs).
 */
export function checkTypes(ctx: MigrationContext): void {
  for (const task of tasksOf(ctx.doc)) {
    const typeNode = task.map.get('type', true) as Scalar;
    if (/\.core\.debug\.Echo$/.test(task.type)) {
      ctx.automatic(
        [...task.path, 'type'],
        typeNode,
        'debug.Echo is removed in 2.0: log.Log (format → message)',
      );
      typeNode.value = 'io.kestra.plugin.core.log.Log';
      const format = pairOf(task.map, 'format');
      if (format) (format.key as Scalar).value = 'message';
      continue;
    }
    const removed = REMOVED.find(([re]) => re.test(task.type));
    if (removed) ctx.manual([...task.path, 'type'], typeNode, removed[1]);
    const workerGroup = pairOf(task.map, 'workerGroup');
    if (workerGroup)
      ctx.manual([...task.path, 'workerGroup'], workerGroup.key, '`workerGroup` is `workerSelector` in 2.0');
    const outputs = pairOf(task.map, 'outputs');
    if (/\.core\.flow\.Subflow$/.test(task.type) && outputs)
      ctx.manual(
        [...task.path, 'outputs'],
        outputs.key,
        'Subflow `outputs` is removed in 2.0: the child flow declares flow outputs (outputs.<task>.outputs.<id>)',
      );
  }
  for (const trigger of triggersOf(ctx.doc)) {
    const removed = REMOVED.find(([re]) => re.test(trigger.type));
    if (removed) ctx.manual([...trigger.path, 'type'], trigger.map.get('type', true), removed[1]);
  }
}
