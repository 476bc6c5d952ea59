import type { GatewayErrorCode } from '@silo/contracts';

/**
 * Base of every error the gateway answers itself. Each subclass has a fixed
 * `name` and a stable `code`; `http/on-error.ts` alone turns them into a
 * status and the `{ message, code }` body (STYLE.md rule 8).
 */
export abstract class GatewayError extends Error {
  abstract readonly code: GatewayErrorCode;
}

/** Malformed input: a field, an ambiguous path. */
export class BadRequestError extends GatewayError {
  override readonly name = 'BadRequestError';
  readonly code = 'BAD_REQUEST';
  constructor(
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** No credentials, or credentials the gateway does not know. */
export class UnauthorizedError extends GatewayError {
  override readonly name = 'UnauthorizedError';
  readonly code = 'UNAUTHORIZED';
}

/** Valid credentials that do not grant this resource. */
export class ForbiddenError extends GatewayError {
  override readonly name = 'ForbiddenError';
  readonly code = 'FORBIDDEN';
}

/** The tenant was suspended by an admin. */
export class TenantSuspendedError extends GatewayError {
  override readonly name = 'TenantSuspendedError';
  readonly code = 'TENANT_SUSPENDED';
  constructor(
    readonly tenantId: string,
    readonly reason: string | null,
  ) {
    super(`tenant ${tenantId} is suspended${reason ? `: ${reason}` : ''}`);
  }
}

export class NotFoundError extends GatewayError {
  override readonly name = 'NotFoundError';
  readonly code = 'NOT_FOUND';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

export class ConflictError extends GatewayError {
  override readonly name = 'ConflictError';
  readonly code = 'CONFLICT';
}

export class PayloadTooLargeError extends GatewayError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(readonly limitBytes: number) {
    super(`request body larger than the gateway's limit of ${limitBytes} bytes (SILO_BODY_LIMIT)`);
  }
}

/** The tenant sent more than its `requestsPerSecond`: 429 with `Retry-After` (whole seconds, rounded up). */
export class RateLimitedError extends GatewayError {
  override readonly name = 'RateLimitedError';
  readonly code = 'RATE_LIMITED';
  constructor(
    readonly tenantId: string,
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `tenant ${tenantId} is over its limit of ${limit} requests per second (requestsPerSecond): retry in ${retryAfterSeconds}s`,
    );
  }
}

/** The instance did not answer or broke the connection. */
export class UpstreamFailedError extends GatewayError {
  override readonly name = 'UpstreamFailedError';
  readonly code = 'UPSTREAM_FAILED';
  constructor(
    readonly tenantId: string,
    options: { cause: unknown },
  ) {
    super(
      `the instance of tenant ${tenantId} failed to answer: ${(options.cause as Error)?.message ?? 'unknown error'}`,
      options,
    );
  }
}

/** The instance cannot serve now (cold start too slow, hold queue full, back-off, capacity); retry later. */
export class InstanceUnavailableError extends GatewayError {
  override readonly name = 'InstanceUnavailableError';
  readonly code = 'INSTANCE_UNAVAILABLE';
  constructor(
    readonly tenantId: string,
    message: string,
    /** Seconds after which a retry makes sense (the `Retry-After` header). */
    readonly retryAfterSeconds: number,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The shared registry (PostgreSQL) does not answer: what is not in the
 * gateway's caches cannot be decided now; retry later.
 */
export class RegistryUnavailableError extends GatewayError {
  override readonly name = 'RegistryUnavailableError';
  readonly code = 'REGISTRY_UNAVAILABLE';
  /** Seconds after which a retry makes sense (the `Retry-After` header). */
  readonly retryAfterSeconds = 2;
  constructor(message: string, options?: { cause: unknown }) {
    super(`the tenant registry is unreachable: ${message}`, options);
  }
}

export class NotImplementedError extends GatewayError {
  override readonly name = 'NotImplementedError';
  readonly code = 'NOT_IMPLEMENTED';
}
