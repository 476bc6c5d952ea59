import { createHash } from 'node:crypto';
import type { FilterFn } from '../builtin-types.js';
import { FilterFailure } from '../call-args.js';
import { asInt, asString, typeName } from '../coerce.js';
import { isPlainObject } from '../safe-access.js';

const str = (input: unknown) => asString(input);

/** Apache commons `substringBefore`/`After` semantics: a missing separator gives the whole string / `''`. */
function substring(side: 'before' | 'after', last: boolean): FilterFn {
  return (input, args) => {
    const s = str(input);
    const sep = asString(args.get(0, 'separator'));
    if (sep === '') return side === 'before' ? '' : s;
    const at = last ? s.lastIndexOf(sep) : s.indexOf(sep);
    if (at === -1) return side === 'before' ? s : '';
    return side === 'before' ? s.slice(0, at) : s.slice(at + sep.length);
  };
}

function hash(algorithm: string): FilterFn {
  return (input) => createHash(algorithm).update(str(input), 'utf8').digest('hex');
}

/** Java's `URLEncoder.encode(s, UTF_8)`: space as `+`, only `A-Za-z0-9.-*_` left as they are. */
function javaUrlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${(c.codePointAt(0) as number).toString(16).toUpperCase()}`);
}

function indent(s: string, width: number, first: boolean): string {
  const pad = ' '.repeat(Math.max(0, width));
  return s
    .split('\n')
    .map((line, i) => (i === 0 && !first ? line : pad + line))
    .join('\n');
}

export const STRING_FILTERS: Array<[string, FilterFn]> = [
  ['upper', (input) => str(input).toUpperCase()],
  ['lower', (input) => str(input).toLowerCase()],
  ['trim', (input) => str(input).trim()],
  [
    'capitalize',
    (input) => {
      const s = str(input);
      return s.length === 0 ? s : s.charAt(0).toUpperCase() + s.slice(1);
    },
  ],
  [
    'title',
    (input) =>
      str(input).replace(
        /(^|\s)(\S)(\S*)/g,
        (_m, sp: string, c: string, rest: string) => sp + c.toUpperCase() + rest.toLowerCase(),
      ),
  ],
  [
    'abbreviate',
    (input, args) => {
      const s = str(input);
      const max = asInt(args.get(0, 'length'), 'abbreviate');
      if (s.length <= max) return s;
      if (max < 3) throw new FilterFailure('abbreviate length must be at least 3');
      return s.slice(0, max - 3) + '...';
    },
  ],
  [
    'replace',
    (input, args) => {
      const pairs = args.get(0, 'replace_pairs');
      if (!isPlainObject(pairs))
        throw new FilterFailure(`replace expects a map of replacements, got ${typeName(pairs)}`);
      const regexp = args.get(1, 'regexp') === true;
      let s = str(input);
      for (const [from, to] of Object.entries(pairs)) {
        s = regexp ? s.replace(new RegExp(from, 'g'), asString(to)) : s.split(from).join(asString(to));
      }
      return s;
    },
  ],
  [
    'slugify',
    (input) =>
      str(input)
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, ''),
  ],
  ['substringBefore', substring('before', false)],
  ['substringAfter', substring('after', false)],
  ['substringBeforeLast', substring('before', true)],
  ['substringAfterLast', substring('after', true)],
  ['startsWith', (input, args) => str(input).startsWith(asString(args.get(0, 'prefix')))],
  ['endsWith', (input, args) => str(input).endsWith(asString(args.get(0, 'suffix')))],
  [
    'escapeChar',
    (input, args) => {
      const type = asString(args.get(0, 'type') ?? 'single');
      const s = str(input);
      if (type === 'single') return s.replace(/'/g, "\\'");
      if (type === 'double') return s.replace(/"/g, '\\"');
      if (type === 'shell') return s.replace(/'/g, "'\\''");
      throw new FilterFailure(`escapeChar type must be single, double or shell, got "${type}"`);
    },
  ],
  [
    'split',
    (input, args) => {
      const s = str(input);
      const delimiter = asString(args.get(0, 'delimiter'));
      const limit = asInt(args.get(1, 'limit'), 'split', 0);
      const parts = s.split(delimiter);
      if (limit > 0 && parts.length > limit) {
        return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(delimiter)];
      }
      if (limit === 0) while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
      return parts;
    },
  ],
  ['string', (input) => str(input)],
  ['indent', (input, args) => indent(str(input), asInt(args.get(0, 'amount'), 'indent', 0), false)],
  ['nindent', (input, args) => `\n${indent(str(input), asInt(args.get(0, 'amount'), 'nindent', 0), true)}`],
  ['urlencode', (input) => javaUrlEncode(str(input))],
  [
    'urldecode',
    (input) => {
      try {
        return decodeURIComponent(str(input).replace(/\+/g, ' '));
      } catch {
        throw new FilterFailure('urldecode: malformed input');
      }
    },
  ],
  ['base64encode', (input) => Buffer.from(str(input), 'utf8').toString('base64')],
  ['base64decode', (input) => Buffer.from(str(input), 'base64').toString('utf8')],
  ['md5', hash('md5')],
  ['sha1', hash('sha1')],
  ['sha256', hash('sha256')],
  ['sha512', hash('sha512')],
];
