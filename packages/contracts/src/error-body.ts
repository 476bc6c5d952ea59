import { z } from 'zod';

/**
 * The stable codes of errors that the gateway answers itself. A switch over
 * them ends in `assertNever`, so a new code is handled everywhere.
 */
export const GATEWAY_ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'TENANT_SUSPENDED',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'UPSTREAM_FAILED',
  'INSTANCE_UNAVAILABLE',
  'REGISTRY_UNAVAILABLE',
  'NOT_IMPLEMENTED',
  'INTERNAL',
] as const;

export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

/** The JSON body of every error the gateway answers itself: `{ message, code }`. */
export const ErrorBodySchema = z.object({
  message: z.string().min(1),
  code: z.enum(GATEWAY_ERROR_CODES),
  /** Field-level details, for validation errors. */
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/**
 * Kestra's error JSON (Micronaut `JsonError`), which the instance answers:
 * `message` always, `_embedded.errors[{message, path}]` for validation failures.
 */
export const KestraErrorBodySchema = z.object({
  message: z.string().min(1),
  _links: z.unknown().optional(),
  _embedded: z
    .object({ errors: z.array(z.object({ message: z.string(), path: z.string().optional() })) })
    .optional(),
});
export type KestraErrorBody = z.infer<typeof KestraErrorBodySchema>;

/** Used at the end of an exhaustive switch: the compiler proves it is never reached. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
