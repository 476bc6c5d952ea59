import type { InputIssue } from '../flow/inputs/index.js';

/** No live flow with this namespace and id. `http/on-error.ts` maps it to 404. */
export class FlowNotFoundError extends Error {
  override readonly name = 'FlowNotFoundError';
  readonly code = 'FLOW_NOT_FOUND';
  constructor(
    readonly namespace: string,
    readonly flowId: string,
  ) {
    super(`Not Found: Unable to find flow ${namespace}.${flowId}`);
  }
}

/**
 * The inputs of a new execution (or of a resume) do not fit their
 * declarations; one issue per input, with Kestra's message. Mapped to 422
 * `Invalid entity: ...` with `inputs.<id>` paths.
 */
export class InvalidInputsError extends Error {
  override readonly name = 'InvalidInputsError';
  readonly code = 'INVALID_INPUTS';
  constructor(readonly issues: readonly InputIssue[]) {
    super(`Invalid entity: ${issues.map((i) => i.message).join(', ')}`);
  }
}
