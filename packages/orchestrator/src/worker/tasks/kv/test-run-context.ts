import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '../../../flow/flow-model.js';
import type { RunContext, TaskLogLevel, TaskServices } from '../../runnable-task.js';

/**
 * A `RunContext` for task tests (not for production): `render` replaces
 * `{{ a.b }}` with the variable's value (no filters, no functions) and throws
 * on an undefined one, like strict mode. Logs are collected in `logs`.
 *
 * @example
 * const ctx = testRunContext({ variables: { inputs: { n: 2 } }, services: { kv: store } });
 * await kvSetTask.run(testTask('io.kestra.plugin.core.kv.Set', { key: 'k', value: '{{ inputs.n }}' }), ctx);
 */
export function testRunContext(
  overrides: Partial<Omit<RunContext, 'log'>> & { services?: TaskServices } = {},
): RunContext & { logs: Array<{ level: TaskLogLevel; message: string }> } {
  const logs: Array<{ level: TaskLogLevel; message: string }> = [];
  const variables = overrides.variables ?? {};
  const render = (template: string): string =>
    template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, path: string) => {
      let value: unknown = variables;
      for (const part of path.split('.')) {
        value =
          value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
      }
      if (value === undefined) throw new Error(`Unable to render '${template}': '${path}' is undefined`);
      return typeof value === 'string' ? value : JSON.stringify(value);
    });
  const renderValue = (value: unknown): unknown => {
    if (typeof value === 'string') return render(value);
    if (Array.isArray(value)) return value.map(renderValue);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [render(k), renderValue(v)]));
    }
    return value;
  };
  return {
    signal: new AbortController().signal,
    render,
    renderValue: renderValue as RunContext['renderValue'],
    executionId: 'exec1',
    taskRunId: 'taskrun1',
    namespace: 'io.kestra.tests',
    flowId: 'flow',
    attempt: 1,
    dataDir: mkdtempSync(join(tmpdir(), 'silo-task-')),
    variables,
    services: {},
    ...overrides,
    log(level, message) {
      logs.push({ level, message });
    },
    logs,
  };
}

/** A task with defaults for the common fields. */
export function testTask(type: string, props: Record<string, unknown>, extra: Partial<Task> = {}): Task {
  return { id: 'task', type, disabled: false, allowFailure: false, allowWarning: false, props, ...extra };
}
