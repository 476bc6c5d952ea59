import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '../../../flow/flow-model.js';
import { render as renderTemplate, renderValue as renderTemplateValue } from '../../../template/index.js';
import type { RunContext, TaskLogLevel, TaskServices } from '../../runnable-task.js';

/**
 * A `RunContext` for task tests (not for production): templates are
 * rendered by the real template engine (strict: an undefined variable
 * throws), over `variables`. Logs are collected in `logs`.
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
  const render = (template: string): string => renderTemplate(template, variables);
  const renderValue = (value: unknown): unknown => renderTemplateValue(value, variables);
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
