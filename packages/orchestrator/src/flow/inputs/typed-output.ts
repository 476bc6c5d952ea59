import type { FlowOutput } from '../flow-model.js';
import { InputFailure } from './input-failure.js';
import { parseInputValue } from './parse-input-value.js';

/**
 * A flow output's rendered value converted to its declared `type`, as
 * Kestra's `FlowInputOutput.typedOutputs` does with the inputs' parser
 * (`total: "3"` of type INT is `3`; an ARRAY's JSON text is a list). FILE
 * outputs stay the URI they render to. A value that does not convert throws,
 * naming the output.
 *
 * @example
 * typedOutput({ id: 'total', type: 'INT', value: '{{ 1 + 2 }}' }, '3'); // 3
 */
export function typedOutput(output: FlowOutput, rendered: unknown): unknown {
  if (output.type === 'FILE' || rendered === null || rendered === undefined) return rendered;
  const raw = typeof rendered === 'string' && output.type !== 'STRING' ? rendered.trim() : rendered;
  try {
    return parseInputValue(output.type, raw, { inputId: output.id });
  } catch (err) {
    if (err instanceof InputFailure) throw new Error(`Invalid output '${output.id}': ${err.message}`);
    throw err;
  }
}
