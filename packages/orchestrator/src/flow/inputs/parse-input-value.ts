import { parse as parseYaml } from 'yaml';
import { exceedsNestingDepth, nestingLimitMessage } from '../../limits.js';
import type { InputType } from '../flow-model.js';
import { InputFailure, javaString } from './input-failure.js';
import { parseDuration, parseInstant, parseLocalDate, parseLocalTime } from './java-time.js';

/** A file that arrived with the request (multipart part or API upload). */
export type UploadedFile = { name: string; data: Uint8Array };

export type ParseContext = {
  inputId: string;
  storeFile?: ((inputId: string, file: UploadedFile) => string) | undefined;
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A URI with a scheme and an authority, as Kestra's `URI_PATTERN` requires (`https://host/path`). */
const URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s]+$/;
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

function expected(type: InputType, raw: unknown): InputFailure {
  return new InputFailure(`Expected \`${type}\` but received \`${javaString(raw)}\``);
}

function isUploadedFile(v: unknown): v is UploadedFile {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as UploadedFile).name === 'string' &&
    (v as UploadedFile).data instanceof Uint8Array
  );
}

/** A parsed JSON, YAML or ARRAY value, refused past the nesting limit (`limits.ts`): the store must be able to serialise it. */
function bounded(value: unknown): unknown {
  if (exceedsNestingDepth(value)) throw new InputFailure(`it is ${nestingLimitMessage()}`);
  return value;
}

function text(type: InputType, raw: unknown): string {
  if (typeof raw === 'string') return raw;
  throw expected(type, raw);
}

/** Parses a JSON array given as text, or takes an array as is (a typed JSON body). */
function list(type: InputType, raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  const s = text(type, raw);
  try {
    const parsed: unknown = JSON.parse(s);
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // fall through
  }
  throw expected(type, raw);
}

/**
 * Turns one raw value (a string from a form or query, or a typed JSON value)
 * into the typed value Kestra's `FlowInputOutput.parseType` gives, in its
 * JSON form: dates and durations as their Java `toString()`, files as
 * `kestra:///` URIs.
 */
export function parseInputValue(
  type: InputType,
  raw: unknown,
  ctx: ParseContext,
  itemType?: InputType,
): unknown {
  switch (type) {
    case 'STRING':
    case 'ENUM':
    case 'SELECT':
    case 'SECRET':
    case 'EMAIL': {
      const s = typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : text(type, raw);
      if (type === 'EMAIL' && !EMAIL.test(s)) throw new InputFailure('it must be a valid email address');
      return s;
    }
    case 'INT': {
      const n = typeof raw === 'number' ? raw : /^[+-]?\d+$/.test(text(type, raw)) ? Number(raw) : Number.NaN;
      if (typeof raw === 'string' && Number.isNaN(n)) throw new InputFailure(`For input string: "${raw}"`);
      if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) throw expected(type, raw);
      return n;
    }
    case 'FLOAT': {
      if (typeof raw === 'number') return raw;
      const s = text(type, raw).trim();
      const n = Number(s);
      if (s === '' || Number.isNaN(n)) throw new InputFailure(`For input string: "${raw}"`);
      return n;
    }
    case 'BOOLEAN':
      if (typeof raw === 'boolean') return raw;
      return text(type, raw).trim().toLowerCase() === 'true';
    case 'DATETIME':
      return wrap(type, raw, () => parseInstant(text(type, raw)).text);
    case 'DATE':
      return wrap(type, raw, () => parseLocalDate(text(type, raw)).text);
    case 'TIME':
      return wrap(type, raw, () => parseLocalTime(text(type, raw)).text);
    case 'DURATION':
      return wrap(type, raw, () => parseDuration(text(type, raw)).text);
    case 'JSON':
      if (typeof raw !== 'string') return bounded(raw);
      try {
        return bounded(JSON.parse(raw) as unknown);
      } catch (e) {
        if (e instanceof InputFailure) throw e;
        throw expected(type, raw);
      }
    case 'YAML':
      if (typeof raw !== 'string') return bounded(raw);
      try {
        return bounded(parseYaml(raw, { maxAliasCount: 100 }) as unknown);
      } catch (e) {
        if (e instanceof InputFailure) throw e;
        throw expected(type, raw);
      }
    case 'URI': {
      const s = text(type, raw);
      if (!URI.test(s)) throw new InputFailure(`Expected \`URI\` but received \`${s}\``);
      return s;
    }
    case 'FILE': {
      if (isUploadedFile(raw)) {
        if (!ctx.storeFile) throw new InputFailure('Unable to store the file: no storage configured');
        return ctx.storeFile(ctx.inputId, raw);
      }
      const s = text(type, raw);
      // Unlike Kestra, a plain path is refused: reading the server's own files on a user's behalf is unsafe.
      if (!s.startsWith('kestra:///'))
        throw new InputFailure(`Expected \`FILE\` as an upload or a kestra:/// URI but received \`${s}\``);
      return s;
    }
    case 'ARRAY':
    case 'MULTISELECT': {
      const items = bounded(list(type, raw)) as unknown[];
      const element = itemType ?? (type === 'MULTISELECT' ? 'STRING' : undefined);
      if (element === undefined) return items;
      return items.map((item) => {
        try {
          return parseInputValue(element, item, ctx);
        } catch {
          throw new InputFailure(
            `Unable to parse array element as \`${element}\` on \`${javaString(item)}\``,
          );
        }
      });
    }
  }
}

function wrap(type: InputType, raw: unknown, parse: () => unknown): unknown {
  try {
    return parse();
  } catch (e) {
    if (e instanceof InputFailure) {
      throw new InputFailure(
        `Expected \`${type}\` but received \`${javaString(raw)}\` with errors: ${e.message}`,
      );
    }
    throw e;
  }
}
