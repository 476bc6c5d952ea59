import { InvalidInputsError } from '../executor/engine-errors.js';
import { isTruthy } from '../executor/is-truthy.js';
import type { Flow, FlowCheck } from '../flow/flow-model.js';
import type { Expressions } from '../ports/expressions.js';

/**
 * Kestra's flow `checks` (1.3 `condition`, 2.0 `when`), evaluated with the
 * resolved inputs before an execution is created: a check whose expression
 * is falsy (or cannot be rendered) applies its behavior. Any failed
 * BLOCK_EXECUTION check refuses the execution (422 naming each message);
 * else a failed FAIL_EXECUTION check answers `'FAILED'` (the execution is
 * created already FAILED, nothing runs); CREATE_EXECUTION only informs.
 *
 * @example
 * const outcome = applyChecks(flow, inputs, expressions); // 'RUN' | 'FAILED', or throws InvalidInputsError
 */
export function applyChecks(
  flow: Flow,
  inputs: Record<string, unknown>,
  expressions: Expressions,
): 'RUN' | 'FAILED' {
  const checks = flow.checks ?? [];
  if (checks.length === 0) return 'RUN';
  const vars = {
    flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision },
    inputs,
    labels: Object.fromEntries(flow.labels.map((l) => [l.key, l.value])),
    vars: flow.variables,
  };
  const failed = checks.filter((c) => !holds(c, vars, expressions));
  const blocking = failed.filter((c) => c.behavior === 'BLOCK_EXECUTION');
  if (blocking.length > 0)
    throw new InvalidInputsError(blocking.map((c) => ({ input: 'checks', message: c.message })));
  return failed.some((c) => c.behavior === 'FAIL_EXECUTION') ? 'FAILED' : 'RUN';
}

function holds(c: FlowCheck, vars: Record<string, unknown>, expressions: Expressions): boolean {
  try {
    return isTruthy(expressions.render(c.when, vars).trim());
  } catch {
    return false;
  }
}
