/**
 * The orchestrator's domain errors: what went wrong, in the core's words.
 * Routes and services throw them; `http/on-error.ts` alone turns each `code`
 * into a status and Kestra's error JSON (STYLE.md rule 8), with an exhaustive
 * switch, so a new code cannot be left unmapped. Nothing here knows HTTP.
 *
 * Messages are the ones clients see, word for word (Kestra's where Kestra has
 * one: `Not Found: Unable to find flow ...`, `Invalid entity: ...`).
 */

/** Stable codes of the domain errors; `http/on-error.ts` switches on them. */
export type DomainErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INVALID_ENTITY'
  | 'NOT_READY'
  | 'INSUFFICIENT_STORAGE'
  | 'NOT_IMPLEMENTED';

/** One field-level detail: Kestra's `_embedded.errors[{message, path}]`. */
export type ErrorDetail = { message: string; path?: string };

/** Base of every domain error: a fixed `name`, a stable `code`, field details and `cause`. */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  constructor(
    message: string,
    /** Field-level details, each naming the field it is about. */
    readonly details: readonly ErrorDetail[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A request that cannot be read as asked: a query parameter, a header, a body
 * that is not what the route takes.
 *
 * @example
 * throw new BadRequestError("Bad Request: wait must be true or false, got 'maybe'", [{ message: 'must be true or false', path: 'wait' }]);
 */
export class BadRequestError extends DomainError {
  override readonly name = 'BadRequestError';
  readonly code = 'BAD_REQUEST';
}

/** A request that did not come through the instance's gateway (no or wrong instance token). */
export class UnauthorizedError extends DomainError {
  override readonly name = 'UnauthorizedError';
  readonly code = 'UNAUTHORIZED';
}

/** An entity that exists but that this request may not reach (a file of another execution). */
export class ForbiddenError extends DomainError {
  override readonly name = 'ForbiddenError';
  readonly code = 'FORBIDDEN';
}

/**
 * No such entity. The message defaults to Kestra's `Not Found: Unable to find <entity> <id>`.
 *
 * @example
 * throw new NotFoundError('execution', id);
 * throw new NotFoundError('webhook', key, 'Flow not found'); // Kestra's own words for this one
 */
export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly code = 'NOT_FOUND';
  constructor(
    readonly entity: string,
    readonly id: string,
    message = `Not Found: Unable to find ${entity} ${id}`,
  ) {
    super(message);
  }
}

/** The entity is not in a state that allows the operation (already terminated, exists, disabled). */
export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
  readonly code = 'CONFLICT';
}

/** A body or a document larger than a limit; the message names the limit. */
export class PayloadTooLargeError extends DomainError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'PAYLOAD_TOO_LARGE';
}

/** A body in a content type the route does not take. */
export class UnsupportedMediaTypeError extends DomainError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}

/**
 * Well-formed input that breaks a rule of the domain (a flow that does not
 * validate, inputs that do not fit): Kestra's `Invalid entity: ...` with one
 * detail per issue.
 *
 * @example
 * throw new ValidationError('Invalid entity: id: is required', [{ message: 'id: is required', path: 'id' }]);
 */
export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  readonly code = 'INVALID_ENTITY';
}

/** The instance has not opened its store yet; retry in a moment. */
export class NotReadyError extends DomainError {
  override readonly name = 'NotReadyError';
  readonly code = 'NOT_READY';
  constructor() {
    super('Service Unavailable: the instance is starting');
  }
}

/** A Kestra operation this instance does not carry out; the message says which and what to do instead. */
export class NotImplementedError extends DomainError {
  override readonly name = 'NotImplementedError';
  readonly code = 'NOT_IMPLEMENTED';
}

/**
 * A bulk operation (`.../by-ids`) that names items it cannot act on: Kestra's
 * `BulkErrorResponse` `{message, invalids}`, with the reason for each item.
 */
export class BulkInvalidError extends DomainError {
  override readonly name = 'BulkInvalidError';
  readonly code = 'INVALID_ENTITY';
  constructor(
    message: string,
    readonly invalids: Readonly<Record<string, string>>,
  ) {
    super(
      message,
      Object.entries(invalids).map(([id, reason]) => ({ message: reason, path: id })),
    );
  }
}
