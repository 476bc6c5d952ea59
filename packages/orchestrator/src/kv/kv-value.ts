import { KvError } from './kv-errors.js';

/** Kestra's `KVType`: how a stored value is typed (`KVController.KvDetail.type`). */
export const KV_TYPES = ['STRING', 'NUMBER', 'BOOLEAN', 'DATETIME', 'DATE', 'DURATION', 'JSON'] as const;
export type KvType = (typeof KV_TYPES)[number];

export function isKvType(value: unknown): value is KvType {
  return typeof value === 'string' && (KV_TYPES as readonly string[]).includes(value);
}

/** Kestra's key rule (`KVStore.validateKey`). */
const KEY_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
/** Not in Kestra (its keys are file names); a bound so a key always fits an index entry. */
export const MAX_KEY_LENGTH = 255;
/** Kestra's namespace rule (`AbstractFlow.namespace` @Pattern). */
const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** ISO-8601 duration as Kestra recognises it when reading a value back (`InternalKVStore.DURATION_PATTERN`). */
const DURATION_PATTERN = /^P(?=[^T]|T.)(?:\d*D)?(?:T(?=.)(?:\d*H)?(?:\d*M)?(?:\d*S)?)?$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** An instant with a zone or offset (Java `Instant.parse` / ION timestamp). */
const DATETIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Throws `KV_INVALID_KEY` with Kestra's message unless `key` is a valid key.
 *
 * @example
 * validateKey('ns', 'my_key.v1'); // ok
 * validateKey('ns', '.hidden');   // throws KvError KV_INVALID_KEY
 */
export function validateKey(namespace: string, key: string): void {
  if (key === '') throw new KvError('KV_INVALID_KEY', 'Key cannot be null or empty', namespace, key);
  if (!KEY_PATTERN.test(key)) {
    throw new KvError(
      'KV_INVALID_KEY',
      'Key must start with an alphanumeric character (uppercase or lowercase) and can contain alphanumeric characters (uppercase or lowercase), dots (.), underscores (_), and hyphens (-) only.',
      namespace,
      key,
    );
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw new KvError(
      'KV_INVALID_KEY',
      `Key must be at most ${MAX_KEY_LENGTH} characters long`,
      namespace,
      key,
    );
  }
}

/** Throws `KV_INVALID_NAMESPACE` unless `namespace` is a valid Kestra namespace. */
export function validateNamespace(namespace: string): void {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new KvError(
      'KV_INVALID_NAMESPACE',
      `Invalid namespace '${namespace}': it must match ${NAMESPACE_PATTERN.source}`,
      namespace,
    );
  }
}

/**
 * The type Kestra gives a value that was stored without an explicit type
 * (`KVType.from` after `InternalKVStore.getValue`): strings that look like an
 * ISO duration come back as DURATION, other strings as STRING.
 *
 * @example
 * inferKvType(42); // 'NUMBER'
 * inferKvType({ a: 1 }); // 'JSON'
 * inferKvType('PT5M'); // 'DURATION'
 */
export function inferKvType(value: unknown): KvType {
  if (typeof value === 'number' || typeof value === 'bigint') return 'NUMBER';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (value instanceof Date) return 'DATETIME';
  if (typeof value === 'string') {
    return DURATION_PATTERN.test(value) ? 'DURATION' : 'STRING';
  }
  if (value === null || value === undefined) return 'STRING';
  return 'JSON';
}

/**
 * Converts a rendered value to the `kvType` a kv.Set task asked for, as
 * Kestra's `Set.run` does for string values; non-strings are kept as they are.
 *
 * @example
 * coerceToKvType('ns', 'k', '42', 'NUMBER'); // 42
 * coerceToKvType('ns', 'k', '{"a":1}', 'JSON'); // { a: 1 }
 */
export function coerceToKvType(namespace: string, key: string, value: unknown, type: KvType): unknown {
  if (typeof value !== 'string') return value instanceof Date ? value.toISOString() : value;
  const invalid = (why: string) =>
    new KvError('KV_INVALID_VALUE', `Invalid ${type} value for key '${key}': ${why}`, namespace, key);
  switch (type) {
    case 'STRING':
      return value;
    case 'NUMBER': {
      const n = value.trim() === '' ? Number.NaN : Number(value);
      if (!Number.isFinite(n)) throw invalid(`'${value}' is not a number`);
      return n;
    }
    case 'BOOLEAN':
      // Java's Boolean.parseBoolean: only "true" (any case) is true.
      return value.trim().toLowerCase() === 'true';
    case 'DATETIME':
    case 'DATE': {
      if (type === 'DATE' && DATE_PATTERN.test(value)) return value;
      const t = DATETIME_PATTERN.test(value) ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(t))
        throw invalid(`'${value}' is not an ISO-8601 instant such as 2024-01-31T10:00:00Z`);
      return new Date(t).toISOString();
    }
    case 'DURATION':
      if (!DURATION_PATTERN.test(value)) throw invalid(`'${value}' is not an ISO-8601 duration such as PT5M`);
      return value;
    case 'JSON':
      try {
        return JSON.parse(value) as unknown;
      } catch (cause) {
        throw new KvError(
          'KV_INVALID_VALUE',
          `Invalid JSON value for key '${key}': ${value}`,
          namespace,
          key,
          {
            cause,
          },
        );
      }
    default:
      return assertNever(type);
  }
}

/**
 * Reads the body of `PUT .../kv/{key}` the way Kestra does (an ION/JSON value):
 * JSON text keeps its type; an unquoted ISO instant, date or duration is typed
 * as such; any other text is a STRING.
 *
 * @example
 * parseApiValue('{"a":1}'); // { value: { a: 1 }, type: 'JSON' }
 * parseApiValue('hello');   // { value: 'hello', type: 'STRING' }
 */
export function parseApiValue(text: string): { value: unknown; type: KvType } {
  const trimmed = text.trim();
  if (DATETIME_PATTERN.test(trimmed))
    return { value: new Date(Date.parse(trimmed)).toISOString(), type: 'DATETIME' };
  if (DATE_PATTERN.test(trimmed)) return { value: trimmed, type: 'DATE' };
  if (DURATION_PATTERN.test(trimmed)) return { value: trimmed, type: 'DURATION' };
  try {
    const value = JSON.parse(trimmed) as unknown;
    if (typeof value === 'string') return { value, type: 'STRING' };
    return { value, type: inferKvType(value) };
  } catch {
    return { value: text, type: 'STRING' };
  }
}

/** Parses a TTL given as milliseconds or an ISO-8601 duration (`PT1H`, `P1D`); `undefined` if neither. */
export function parseTtlMs(ttl: unknown): number | undefined {
  if (typeof ttl === 'number' && Number.isFinite(ttl)) return ttl;
  if (typeof ttl !== 'string') return undefined;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(ttl.trim());
  if (!m || ttl.trim().toUpperCase() === 'P' || /T$/i.test(ttl.trim())) return undefined;
  const [, d, h, min, s] = m;
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v));
  return Math.round((((n(d) * 24 + n(h)) * 60 + n(min)) * 60 + n(s)) * 1000);
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
