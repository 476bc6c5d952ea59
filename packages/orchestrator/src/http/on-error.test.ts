import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  ConflictError,
  type DomainError,
  NotFoundError,
  NotReadyError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.js';
import { FlowNotFoundError, InvalidInputsError } from '../executor/engine-errors.js';
import { KvError } from '../kv/kv-errors.js';
import { toErrorReply } from './on-error.js';

describe('toErrorReply: the one place that picks a status', () => {
  const detail = [{ message: 'must be an integer ≥ 1', path: 'size' }];
  const cases: Array<[DomainError | Error, number]> = [
    [new BadRequestError('Bad Request: size', detail), 400],
    [new UnauthorizedError('Unauthorized: no token'), 401],
    [new NotFoundError('execution', 'x'), 404],
    [new ConflictError('Execution x is not paused (SUCCESS)'), 409],
    [new PayloadTooLargeError('Payload Too Large: over 10 bytes'), 413],
    [new UnsupportedMediaTypeError('Unsupported Media Type: text/plain'), 415],
    [new ValidationError('Invalid entity: id: is required', [{ message: 'is required', path: 'id' }]), 422],
    [new NotReadyError(), 503],
    [new FlowNotFoundError('company.team', 'hello'), 404],
    [new InvalidInputsError([{ input: 'n', message: 'Invalid input for `n`' }]), 422],
    [new KvError('KV_INVALID_KEY', 'bad key', 'ns', 'bad key'), 422],
    [new KvError('KV_VALUE_TOO_LARGE', 'too large', 'ns', 'k'), 413],
  ];
  it.each(cases)('%s → %i', (err, status) => {
    expect(toErrorReply(err)?.status).toBe(status);
    expect(toErrorReply(err)?.message).toBe(err.message);
  });

  it('keeps Kestra wording and the field details', () => {
    expect(toErrorReply(new NotFoundError('flow', 'a.b'))).toEqual({
      status: 404,
      message: 'Not Found: Unable to find flow a.b',
      errors: [],
    });
    expect(toErrorReply(new BadRequestError('Bad Request: size', detail))?.errors).toEqual(detail);
    expect(toErrorReply(new InvalidInputsError([{ input: 'n', message: 'bad n' }]))?.errors).toEqual([
      { message: 'bad n', path: 'inputs.n' },
    ]);
  });

  it('leaves unknown errors to the 500 path', () => {
    expect(toErrorReply(new TypeError('x is undefined'))).toBeUndefined();
  });
});
