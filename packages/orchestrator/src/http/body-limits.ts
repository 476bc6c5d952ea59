import { BadRequestError, PayloadTooLargeError } from '../errors.js';
import { exceedsNestingDepth, LIMITS, nestingLimitMessage } from '../limits.js';

/**
 * The HTTP boundary's checks of data that is kept inline in an execution
 * (inputs, resume inputs, webhook bodies, KV values): past a limit of
 * `limits.ts` the request is refused with a message naming the limit, so
 * the store never sees a value it cannot serialise.
 */

/**
 * 413 when `bytes` exceed `LIMITS.maxInlineDataBytes`.
 *
 * @example
 * checkInlineSize(Buffer.byteLength(text), 'the JSON body');
 */
export function checkInlineSize(bytes: number, what: string): void {
  const max = LIMITS.maxInlineDataBytes;
  if (bytes > max)
    throw new PayloadTooLargeError(
      `Payload Too Large: ${what} is ${bytes} bytes, more than ${max} (the inline data limit; send large data as a FILE input)`,
      [{ message: `more than ${max} bytes (the inline data limit)`, path: 'body' }],
    );
}

/**
 * 400 when a parsed body nests deeper than `LIMITS.maxNestingDepth`.
 *
 * @example
 * checkNesting(JSON.parse(text), 'the JSON body');
 */
export function checkNesting(value: unknown, what: string): void {
  if (exceedsNestingDepth(value))
    throw new BadRequestError(`Bad Request: ${what} is ${nestingLimitMessage()}`, [
      { message: nestingLimitMessage(), path: 'body' },
    ]);
}
