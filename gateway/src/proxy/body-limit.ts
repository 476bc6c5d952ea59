import { Transform, type TransformCallback } from 'node:stream';
import { PayloadTooLargeError } from '../errors.js';

/**
 * Passes a request body through, counting bytes; past `limitBytes` it fails
 * with `PayloadTooLargeError` (for bodies without `Content-Length`).
 *
 * @example
 * req.pipe(new BodyLimit(1024 ** 3));
 */
export class BodyLimit extends Transform {
  #seen = 0;
  constructor(readonly limitBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.limitBytes) {
      callback(new PayloadTooLargeError(this.limitBytes));
      return;
    }
    callback(null, chunk);
  }
}
