import type { Args, BinaryOp, Expr, Node } from './ast.js';
import { LIMITS } from './limits.js';
import { sourcePosition } from './source-position.js';
import { TemplateError } from './template-error.js';
import { type Token, tokenize } from './tokenize.js';

/**
 * Binary operators and their precedence, as Pebble's CoreExtension declares
 * them (`or` 10, `and` 15, `is`/`contains` 20, comparisons 30, `+ -` 40,
 * `* / %` 60, `|` 100, `~` 110, `..` 120), plus Kestra's `??` / `???` (120)
 * and `in` (as `contains`, reversed).
 */
const BINARY: Record<string, { op: BinaryOp; precedence: number }> = {
  or: { op: 'or', precedence: 10 },
  and: { op: 'and', precedence: 15 },
  in: { op: 'in', precedence: 20 },
  contains: { op: 'contains', precedence: 20 },
  '==': { op: '==', precedence: 30 },
  equals: { op: '==', precedence: 30 },
  '!=': { op: '!=', precedence: 30 },
  '<': { op: '<', precedence: 30 },
  '>': { op: '>', precedence: 30 },
  '<=': { op: '<=', precedence: 30 },
  '>=': { op: '>=', precedence: 30 },
  '+': { op: '+', precedence: 40 },
  '-': { op: '-', precedence: 40 },
  '*': { op: '*', precedence: 60 },
  '/': { op: '/', precedence: 60 },
  '%': { op: '%', precedence: 60 },
  '~': { op: '~', precedence: 110 },
  '..': { op: '..', precedence: 120 },
  '??': { op: '??', precedence: 120 },
  '???': { op: '???', precedence: 120 },
};
const IS_PRECEDENCE = 20;
const FILTER_PRECEDENCE = 100;
/** Pebble gives unary `not` precedence 5: `not a and b` is `not (a and b)`. */
const NOT_PRECEDENCE = 5;
const UNARY_SIGN_PRECEDENCE = 500;

const LITERAL_NAMES: Record<string, unknown> = {
  true: true,
  false: false,
  null: null,
  none: null,
  TRUE: true,
  FALSE: false,
  NULL: null,
};

/** Parses a whole template into nodes. */
export function parseTemplate(source: string): Node[] {
  const parser = new Parser(source, tokenize(source));
  const nodes = parser.parseNodes([]);
  parser.expectEnd();
  return nodes;
}

/** Parses a bare expression (no `{{ }}`). */
export function parseExpression(source: string): Expr {
  const parser = new Parser(source, tokenize(source, true));
  const expr = parser.expression(0);
  parser.expectEnd();
  return expr;
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  private peek(ahead = 0): Token {
    return (this.tokens[this.pos + ahead] ?? this.tokens[this.tokens.length - 1]) as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.type !== 'EOF') this.pos++;
    return t;
  }

  private is(type: Token['type'], value?: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.type === type && (value === undefined || t.value === value);
  }

  private accept(type: Token['type'], value?: string): Token | undefined {
    return this.is(type, value) ? this.next() : undefined;
  }

  private expect(type: Token['type'], value?: string): Token {
    const t = this.peek();
    if (!this.is(type, value)) this.fail(`Expected ${value ?? type} but found ${describe(t)}`, t.offset);
    return this.next();
  }

  fail(message: string, offset: number): never {
    const { line, column } = sourcePosition(this.source, offset);
    throw new TemplateError('SYNTAX', `${message} in the expression \`${this.source}\` at line ${line}`, {
      expression: this.source,
      line,
      column,
      position: offset,
    });
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.type !== 'EOF') this.fail(`Unexpected ${describe(t)}`, t.offset);
  }

  private enter(offset: number): void {
    if (++this.depth > LIMITS.maxParseDepth) {
      throw new TemplateError('LIMIT', `Template nested deeper than ${LIMITS.maxParseDepth} levels`, {
        expression: this.source,
        position: offset,
        ...sourcePosition(this.source, offset),
      });
    }
  }

  /** Parses nodes until one of the `stopTags` (e.g. `endif`) is the next tag; leaves it unread. */
  parseNodes(stopTags: string[]): Node[] {
    const nodes: Node[] = [];
    while (true) {
      const t = this.peek();
      if (t.type === 'EOF') {
        if (stopTags.length > 0) this.fail(`Missing {% ${stopTags[stopTags.length - 1]} %}`, t.offset);
        return nodes;
      }
      if (t.type === 'TEXT') {
        nodes.push({ kind: 'text', text: this.next().value });
      } else if (t.type === 'PRINT_START') {
        this.next();
        const expr = this.expression(0);
        this.expect('PRINT_END');
        nodes.push({ kind: 'print', expr, offset: t.offset });
      } else if (t.type === 'TAG_START') {
        const name = this.peek(1);
        if (name.type === 'NAME' && stopTags.includes(name.value)) return nodes;
        this.next();
        nodes.push(this.tag());
      } else {
        this.fail(`Unexpected ${describe(t)}`, t.offset);
      }
    }
  }

  private tag(): Node {
    const nameToken = this.expect('NAME');
    this.enter(nameToken.offset);
    try {
      switch (nameToken.value) {
        case 'if':
          return this.ifTag();
        case 'for':
          return this.forTag(nameToken.offset);
        case 'set': {
          const name = this.expect('NAME').value;
          this.expect('PUNCT', '=');
          const value = this.expression(0);
          this.expect('TAG_END');
          return { kind: 'set', name, value };
        }
        default:
          return this.fail(`Unknown tag "${nameToken.value}"`, nameToken.offset);
      }
    } finally {
      this.depth--;
    }
  }

  private ifTag(): Node {
    const branches: Array<{ condition: Expr; body: Node[] }> = [];
    let condition = this.expression(0);
    this.expect('TAG_END');
    let otherwise: Node[] | undefined;
    while (true) {
      const body = this.parseNodes(['elseif', 'elif', 'else', 'endif']);
      branches.push({ condition, body });
      this.expect('TAG_START');
      const which = this.expect('NAME').value;
      if (which === 'elseif' || which === 'elif') {
        condition = this.expression(0);
        this.expect('TAG_END');
        continue;
      }
      this.expect('TAG_END');
      if (which === 'else') {
        otherwise = this.parseNodes(['endif']);
        this.expect('TAG_START');
        this.expect('NAME', 'endif');
        this.expect('TAG_END');
      }
      return { kind: 'if', branches, otherwise };
    }
  }

  private forTag(offset: number): Node {
    const variable = this.expect('NAME').value;
    this.expect('NAME', 'in');
    const iterable = this.expression(0);
    this.expect('TAG_END');
    const body = this.parseNodes(['else', 'endfor']);
    this.expect('TAG_START');
    const which = this.expect('NAME').value;
    this.expect('TAG_END');
    let otherwise: Node[] | undefined;
    if (which === 'else') {
      otherwise = this.parseNodes(['endfor']);
      this.expect('TAG_START');
      this.expect('NAME', 'endfor');
      this.expect('TAG_END');
    }
    return { kind: 'for', variable, iterable, body, otherwise, offset };
  }

  expression(minPrecedence: number): Expr {
    const start = this.peek();
    this.enter(start.offset);
    try {
      let left = this.prefix();
      while (true) {
        const t = this.peek();
        if (t.type === 'PUNCT' && t.value === '|' && FILTER_PRECEDENCE >= minPrecedence) {
          this.next();
          const name = this.expect('NAME');
          const args = this.is('PUNCT', '(') ? this.args() : { positional: [], named: [] };
          left = { kind: 'filter', input: left, name: name.value, args, offset: name.offset };
          continue;
        }
        if (t.type === 'NAME' && t.value === 'is' && IS_PRECEDENCE >= minPrecedence) {
          this.next();
          const negated = this.accept('NAME', 'not') !== undefined;
          const name = this.expect('NAME');
          const args = this.is('PUNCT', '(') ? this.args() : { positional: [], named: [] };
          left = { kind: 'test', input: left, name: name.value, negated, args, offset: name.offset };
          continue;
        }
        if (t.type === 'NAME' && t.value === 'not' && this.is('NAME', 'in', 1) && 20 >= minPrecedence) {
          this.next();
          this.next();
          left = { kind: 'binary', op: 'not in', left, right: this.expression(21), offset: t.offset };
          continue;
        }
        const binary = t.type === 'PUNCT' || t.type === 'NAME' ? BINARY[t.value] : undefined;
        if (binary !== undefined && binary.precedence >= minPrecedence) {
          this.next();
          const right = this.expression(binary.precedence + 1);
          left = { kind: 'binary', op: binary.op, left, right, offset: t.offset };
          continue;
        }
        break;
      }
      if (minPrecedence === 0 && this.is('PUNCT', '?')) {
        const q = this.next();
        const then = this.expression(0);
        this.expect('PUNCT', ':');
        const otherwise = this.expression(0);
        left = { kind: 'ternary', condition: left, then, otherwise, offset: q.offset };
      }
      return left;
    } finally {
      this.depth--;
    }
  }

  private prefix(): Expr {
    const t = this.next();
    let expr: Expr;
    if (t.type === 'NUMBER') {
      expr = { kind: 'literal', value: Number(t.value), offset: t.offset };
    } else if (t.type === 'STRING') {
      expr = { kind: 'literal', value: t.value, offset: t.offset };
    } else if (t.type === 'NAME') {
      if (t.value === 'not') {
        return { kind: 'unary', op: 'not', operand: this.expression(NOT_PRECEDENCE), offset: t.offset };
      }
      if (Object.hasOwn(LITERAL_NAMES, t.value)) {
        expr = { kind: 'literal', value: LITERAL_NAMES[t.value], offset: t.offset };
      } else if (this.is('PUNCT', '(')) {
        expr = { kind: 'call', name: t.value, args: this.args(), offset: t.offset };
      } else {
        expr = { kind: 'name', name: t.value, offset: t.offset };
      }
    } else if (t.type === 'PUNCT' && (t.value === '-' || t.value === '+')) {
      return {
        kind: 'unary',
        op: t.value,
        operand: this.expression(UNARY_SIGN_PRECEDENCE),
        offset: t.offset,
      };
    } else if (t.type === 'PUNCT' && t.value === '(') {
      expr = this.expression(0);
      this.expect('PUNCT', ')');
    } else if (t.type === 'PUNCT' && t.value === '[') {
      const items: Expr[] = [];
      while (!this.is('PUNCT', ']')) {
        items.push(this.expression(0));
        if (!this.accept('PUNCT', ',')) break;
      }
      this.expect('PUNCT', ']');
      expr = { kind: 'list', items, offset: t.offset };
    } else if (t.type === 'PUNCT' && t.value === '{') {
      const entries: Array<{ key: Expr; value: Expr }> = [];
      while (!this.is('PUNCT', '}')) {
        const key = this.expression(0);
        this.expect('PUNCT', ':');
        entries.push({ key, value: this.expression(0) });
        if (!this.accept('PUNCT', ',')) break;
      }
      this.expect('PUNCT', '}');
      expr = { kind: 'map', entries, offset: t.offset };
    } else {
      return this.fail(`Unexpected ${describe(t)}`, t.offset);
    }
    return this.postfix(expr);
  }

  /** Attribute and index access: `a.b`, `a['b c']`, `a[expr]`, `list[0]`. */
  private postfix(start: Expr): Expr {
    let expr = start;
    while (true) {
      if (this.is('PUNCT', '.')) {
        this.next();
        const key = this.next();
        if (key.type !== 'NAME' && key.type !== 'NUMBER')
          this.fail(`Unexpected ${describe(key)}`, key.offset);
        if (this.is('PUNCT', '(')) {
          throw new TemplateError('FORBIDDEN', `Method calls are not allowed: "${key.value}(...)"`, {
            expression: this.source,
            position: key.offset,
            ...sourcePosition(this.source, key.offset),
          });
        }
        expr = {
          kind: 'attr',
          object: expr,
          key: { kind: 'literal', value: key.value, offset: key.offset },
          offset: key.offset,
        };
      } else if (this.is('PUNCT', '[')) {
        const open = this.next();
        const key = this.expression(0);
        this.expect('PUNCT', ']');
        expr = { kind: 'attr', object: expr, key, offset: open.offset };
      } else if (this.is('PUNCT', '(')) {
        const t = this.peek();
        throw new TemplateError('FORBIDDEN', 'Only named functions can be called', {
          expression: this.source,
          position: t.offset,
          ...sourcePosition(this.source, t.offset),
        });
      } else {
        return expr;
      }
    }
  }

  private args(): Args {
    this.expect('PUNCT', '(');
    const args: Args = { positional: [], named: [] };
    while (!this.is('PUNCT', ')')) {
      if (this.is('NAME') && this.is('PUNCT', '=', 1)) {
        const name = this.next().value;
        this.next();
        args.named.push({ name, value: this.expression(0) });
      } else {
        args.positional.push(this.expression(0));
      }
      if (!this.accept('PUNCT', ',')) break;
    }
    this.expect('PUNCT', ')');
    return args;
  }
}

function describe(t: Token): string {
  switch (t.type) {
    case 'EOF':
      return 'end of template';
    case 'PRINT_END':
      return '"}}"';
    case 'TAG_END':
      return '"%}"';
    case 'PRINT_START':
      return '"{{"';
    case 'TAG_START':
      return '"{%"';
    case 'STRING':
      return `string '${t.value}'`;
    case 'TEXT':
      return 'text';
    default:
      return `"${t.value}"`;
  }
}
