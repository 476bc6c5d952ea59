/** Stable codes of KV failures; the HTTP routes switch on them exhaustively. */
export type KvErrorCode =
  | 'KV_INVALID_KEY'
  | 'KV_INVALID_NAMESPACE'
  | 'KV_INVALID_VALUE'
  | 'KV_VALUE_TOO_LARGE'
  | 'KV_KEY_EXISTS'
  | 'KV_KEY_NOT_FOUND';

/**
 * A KV operation that cannot succeed as asked. Messages follow Kestra's
 * wording where Kestra has one (`KVStore.validateKey`, `InternalKVStore.put`,
 * `KvFunction`), so users see the text they know.
 *
 * @example
 * try { store.set('ns', 'bad key', 1); } catch (e) { if (e instanceof KvError && e.code === 'KV_INVALID_KEY') ... }
 */
export class KvError extends Error {
  override readonly name = 'KvError';
  constructor(
    readonly code: KvErrorCode,
    message: string,
    readonly namespace: string,
    readonly key?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Kestra's `kv()` message for a missing key (`KvFunction.execute`). */
export function keyNotFoundError(namespace: string, key: string): KvError {
  return new KvError(
    'KV_KEY_NOT_FOUND',
    `The key '${key}' does not exist in the namespace '${namespace}'.`,
    namespace,
    key,
  );
}
