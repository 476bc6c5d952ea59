import { LIMITS } from './limits.js';
import { sourcePosition } from './source-position.js';
import { TemplateError } from './template-error.js';

export type TokenType =
  | 'TEXT'
  | 'PRINT_START'
  | 'PRINT_END'
  | 'TAG_START'
  | 'TAG_END'
  | 'NAME'
  | 'NUMBER'
  | 'STRING'
  | 'PUNCT'
  | 'EOF';

export type Token = {
  type: TokenType;
  /** Text of TEXT/STRING (unescaped), NAME, PUNCT and NUMBER tokens. */
  value: string;
  /** 0-based offset in the source. */
  offset: number;
};

/** Longest first, so `???` wins over `??` and `==` over `=`. */
const PUNCTUATION = [
  '???',
  '??',
  '..',
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '~',
  '|',
  '?',
  ':',
  ',',
  '.',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '=',
];

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };

const RAW_TAG = /\{%(-?)\s*raw\s*(-?)%\}/y;
const ENDRAW_TAG = /\{%(-?)\s*endraw\s*(-?)%\}/g;

function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/**
 * Splits a Pebble template into tokens: TEXT between delimiters, and the
 * expression tokens of each `{{ }}` / `{% %}` between start and end markers.
 * Comments disappear; `{% raw %}` becomes TEXT; whitespace control (`{{-`,
 * `-%}`) is applied here by trimming the neighbouring TEXT.
 *
 * With `expressionOnly`, the whole source is one expression (no delimiters).
 */
export function tokenize(source: string, expressionOnly = false): Token[] {
  if (source.length > LIMITS.maxTemplateLength) {
    throw new TemplateError('LIMIT', `Template longer than ${LIMITS.maxTemplateLength} characters`, {
      expression: source.slice(0, 200),
    });
  }
  const tokens: Token[] = [];
  let i = 0;
  let trimNextText = false;

  const fail = (message: string, at: number): never => {
    const { line, column } = sourcePosition(source, at);
    throw new TemplateError('SYNTAX', `${message} in the expression \`${source}\` at line ${line}`, {
      expression: source,
      line,
      column,
      position: at,
    });
  };

  const pushText = (text: string, offset: number) => {
    let t = text;
    if (trimNextText) {
      t = t.replace(/^\s+/, '');
      trimNextText = false;
    }
    if (t.length > 0) tokens.push({ type: 'TEXT', value: t, offset });
  };

  const trimPreviousText = () => {
    const last = tokens[tokens.length - 1];
    if (last?.type === 'TEXT') {
      last.value = last.value.replace(/\s+$/, '');
      if (last.value.length === 0) tokens.pop();
    }
  };

  /** Lexes expression tokens until `close` (`}}` or `%}`) at brace depth 0; returns the offset after it. */
  const lexExpression = (start: number, close: string | null): number => {
    let p = start;
    let depth = 0;
    while (true) {
      while (p < source.length && isSpace(source[p] as string)) p++;
      if (p >= source.length) {
        if (close === null) return p;
        return fail(`Unclosed "${close === '}}' ? '{{' : '{%'}"`, start);
      }
      if (close !== null && depth === 0) {
        if (source.startsWith(close, p) || (source[p] === '-' && source.startsWith(close, p + 1))) {
          const trim = source[p] === '-';
          const end = p + (trim ? 1 : 0) + close.length;
          tokens.push({ type: close === '}}' ? 'PRINT_END' : 'TAG_END', value: trim ? '-' : '', offset: p });
          trimNextText = trim;
          return end;
        }
      }
      const c = source[p] as string;
      if (isNameStart(c)) {
        let q = p + 1;
        while (q < source.length && (isNameStart(source[q] as string) || isDigit(source[q] as string))) q++;
        tokens.push({ type: 'NAME', value: source.slice(p, q), offset: p });
        p = q;
      } else if (isDigit(c)) {
        let q = p + 1;
        while (q < source.length && isDigit(source[q] as string)) q++;
        if (source[q] === '.' && isDigit(source[q + 1] ?? '')) {
          q += 2;
          while (q < source.length && isDigit(source[q] as string)) q++;
        }
        tokens.push({ type: 'NUMBER', value: source.slice(p, q), offset: p });
        p = q;
      } else if (c === '"' || c === "'") {
        let q = p + 1;
        let value = '';
        while (q < source.length && source[q] !== c) {
          if (source[q] === '\\' && q + 1 < source.length) {
            const next = source[q + 1] as string;
            value += ESCAPES[next] ?? `\\${next}`;
            q += 2;
          } else {
            value += source[q];
            q++;
          }
        }
        if (q >= source.length) fail('Unclosed string literal', p);
        tokens.push({ type: 'STRING', value, offset: p });
        p = q + 1;
      } else {
        const punct = PUNCTUATION.find((op) => source.startsWith(op, p));
        if (punct === undefined) fail(`Unexpected character "${c}"`, p);
        const op = punct as string;
        if (op === '{') depth++;
        if (op === '}') {
          if (depth === 0) fail('Unexpected "}"', p);
          depth--;
        }
        tokens.push({ type: 'PUNCT', value: op, offset: p });
        p += op.length;
      }
    }
  };

  if (expressionOnly) {
    lexExpression(0, null);
    tokens.push({ type: 'EOF', value: '', offset: source.length });
    return tokens;
  }

  while (i < source.length) {
    const next = findDelimiter(source, i);
    if (next === -1) {
      pushText(source.slice(i), i);
      break;
    }
    if (next > i) pushText(source.slice(i, next), i);
    const kind = source[next + 1];
    const trimLeft = source[next + 2] === '-';
    if (trimLeft) trimPreviousText();
    else trimNextText = false;
    if (kind === '#') {
      const end = source.indexOf('#}', next + 2);
      if (end === -1) fail('Unclosed comment', next);
      trimNextText = source[end - 1] === '-' && end - 1 > next + 2;
      i = end + 2;
      continue;
    }
    if (kind === '%') {
      RAW_TAG.lastIndex = next;
      const raw = RAW_TAG.exec(source);
      if (raw) {
        ENDRAW_TAG.lastIndex = RAW_TAG.lastIndex;
        const endraw = ENDRAW_TAG.exec(source);
        if (!endraw) fail('Unclosed "raw" tag', next);
        const e = endraw as RegExpExecArray;
        trimNextText = raw[2] === '-';
        let body = source.slice(RAW_TAG.lastIndex, e.index);
        if (trimNextText) body = body.replace(/^\s+/, '');
        if (e[1] === '-') body = body.replace(/\s+$/, '');
        trimNextText = false;
        if (body.length > 0) tokens.push({ type: 'TEXT', value: body, offset: RAW_TAG.lastIndex });
        trimNextText = e[2] === '-';
        i = e.index + e[0].length;
        continue;
      }
    }
    tokens.push({
      type: kind === '{' ? 'PRINT_START' : 'TAG_START',
      value: trimLeft ? '-' : '',
      offset: next,
    });
    i = lexExpression(next + 2 + (trimLeft ? 1 : 0), kind === '{' ? '}}' : '%}');
  }
  tokens.push({ type: 'EOF', value: '', offset: source.length });
  return tokens;
}

function findDelimiter(source: string, from: number): number {
  let p = source.indexOf('{', from);
  while (p !== -1) {
    const n = source[p + 1];
    if (n === '{' || n === '%' || n === '#') return p;
    p = source.indexOf('{', p + 1);
  }
  return -1;
}
