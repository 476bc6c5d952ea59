/**
 * Typed errors of the instance's HTTP API. `http/on-error.ts` is the only place
 * that turns them into a status and Kestra's JSON error body.
 */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 500 | 501 | 503,
    message: string,
    readonly errors: ReadonlyArray<{ message: string; path?: string }> = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 404 with Kestra's `Not Found: ...` message. */
export class NotFoundError extends ApiError {
  override readonly name = 'NotFoundError';
  constructor(entity: string, id: string) {
    super(404, `Not Found: Unable to find ${entity} ${id}`);
  }
}
