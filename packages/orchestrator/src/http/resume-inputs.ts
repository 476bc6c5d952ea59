import { Document, LineCounter } from 'yaml';
import { ValidationError } from '../errors.js';
import { InvalidInputsError } from '../executor/engine-errors.js';
import { taskIndex } from '../executor/task-index.js';
import type { Flow } from '../flow/flow-model.js';
import { resolveInputs, type UploadedFile } from '../flow/inputs/index.js';
import { IssueCollector } from '../flow/issue-collector.js';
import { parseInputs } from '../flow/parse-flow-inputs.js';
import type { Execution, TaskRun } from '../model/execution.js';

/**
 * Kestra's resume with inputs (`ExecutionService.resume`): for each PAUSED
 * task run whose Pause task declares `onResume`, the body's values are
 * resolved like flow inputs (types, `required`, defaults, validators) and
 * become that task run's `outputs.onResume`. A bad value is a 422 naming the
 * input, before anything is stored. Returns task run id → resolved values.
 *
 * @example
 * resolveOnResume(flow, execution, { approved: 'true' }, storer); // { '4xQ…': { approved: true } }
 */
export function resolveOnResume(
  flow: Flow,
  execution: Execution,
  raw: Record<string, unknown>,
  storerFor: (tr: TaskRun) => (inputId: string, file: UploadedFile) => string,
): Record<string, Record<string, unknown>> {
  const index = taskIndex(flow);
  const out: Record<string, Record<string, unknown>> = {};
  for (const tr of execution.taskRunList) {
    if (tr.state.current !== 'PAUSED') continue;
    const declared = index.get(tr.taskId)?.task.props.onResume;
    if (!Array.isArray(declared)) continue;
    const issues = new IssueCollector(new Document({}), new LineCounter());
    const inputs = parseInputs(declared, ['onResume'], issues);
    if (issues.issues.length > 0) {
      throw new ValidationError(
        `Invalid entity: onResume of task ${tr.taskId}: ${issues.issues.map((i) => `${i.path} ${i.message}`).join(', ')}`,
      );
    }
    const resolved = resolveInputs(inputs, raw, { now: new Date(), storeFile: storerFor(tr) });
    if (!resolved.ok) throw new InvalidInputsError(resolved.issues);
    out[tr.id] = resolved.values;
  }
  return out;
}
