import type { Args, Expr, Node } from './ast.js';
import type { BuiltinFunction, FilterFn, TestFn } from './builtin-types.js';
import { CallArgs, FilterFailure } from './call-args.js';
import { typeName } from './coerce.js';
import { isTruthy } from './is-truthy.js';
import { LIMITS } from './limits.js';
import { arithmetic, compare, contains, range, templateEquals } from './operators.js';
import { parseTemplate } from './parser.js';
import { getAttribute, isPlainObject } from './safe-access.js';
import { sourcePosition } from './source-position.js';
import { TemplateError, type TemplateErrorCode } from './template-error.js';
import type { TemplateCallContext, TemplateFunction } from './template-function.js';
import { toOutputString } from './to-output-string.js';

/** The built-ins a runtime can call; passed in so this file does not import every filter. */
export type Builtins = {
  filters: ReadonlyMap<string, FilterFn>;
  tests: ReadonlyMap<string, TestFn>;
  functions: ReadonlyMap<string, BuiltinFunction>;
};

export type RuntimeSettings = {
  strict: boolean;
  functions: Record<string, TemplateFunction>;
  now: () => Date;
  builtins: Builtins;
};

/** Shared by a render and every nested `render()` it triggers. */
export type Budget = { iterations: number; depth: number };

type Scope = Map<string, unknown>;

/** Marks a value that strict mode would have refused, inside `??`, `default` and `is defined`. */
const UNDEFINED = Symbol('undefined');

/**
 * Evaluates parsed templates and expressions against one set of variables.
 * One runtime per template source, so errors can name it and its line.
 */
export class Runtime {
  constructor(
    private readonly source: string,
    private readonly variables: Record<string, unknown>,
    private readonly settings: RuntimeSettings,
    private readonly budget: Budget,
  ) {}

  /** Renders template nodes to a string. */
  renderNodes(nodes: Node[]): string {
    const out = { parts: [] as string[], length: 0 };
    this.execute(nodes, [new Map()], out);
    return out.parts.join('');
  }

  /** Evaluates one expression to its value. */
  evaluate(expr: Expr): unknown {
    const value = this.eval(expr, [new Map()]);
    return value === UNDEFINED ? null : value;
  }

  private execute(nodes: Node[], scopes: Scope[], out: { parts: string[]; length: number }): void {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          this.write(out, node.text, 0);
          break;
        case 'print':
          this.write(out, toOutputString(this.value(node.expr, scopes)), node.offset);
          break;
        case 'set':
          (scopes[scopes.length - 1] as Scope).set(node.name, this.value(node.value, scopes));
          break;
        case 'if': {
          const branch = node.branches.find((b) => isTruthy(this.value(b.condition, scopes)));
          const body = branch ? branch.body : node.otherwise;
          if (body) this.execute(body, scopes, out);
          break;
        }
        case 'for': {
          const items = this.iterable(this.value(node.iterable, scopes), node.offset);
          if (items.length === 0) {
            if (node.otherwise) this.execute(node.otherwise, scopes, out);
            break;
          }
          const scope: Scope = new Map();
          const inner = [...scopes, scope];
          items.forEach((item, index) => {
            if (++this.budget.iterations > LIMITS.maxIterations) {
              throw this.error('LIMIT', `More than ${LIMITS.maxIterations} loop iterations`, node.offset);
            }
            scope.clear();
            scope.set(node.variable, item);
            scope.set('loop', {
              index,
              revindex: items.length - index - 1,
              first: index === 0,
              last: index === items.length - 1,
              length: items.length,
            });
            this.execute(node.body, inner, out);
          });
          break;
        }
      }
    }
  }

  private write(out: { parts: string[]; length: number }, text: string, offset: number): void {
    out.length += text.length;
    if (out.length > LIMITS.maxOutputLength) {
      throw this.error('LIMIT', `Output longer than ${LIMITS.maxOutputLength} characters`, offset);
    }
    out.parts.push(text);
  }

  private iterable(value: unknown, offset: number): unknown[] {
    if (value === null || value === UNDEFINED) return [];
    if (Array.isArray(value)) return value;
    if (isPlainObject(value)) return Object.entries(value).map(([key, v]) => ({ key, value: v }));
    throw this.error('TYPE', `Cannot iterate over ${typeName(value)}`, offset);
  }

  /** Evaluates and refuses the UNDEFINED marker (strict mode already threw; lenient gives null). */
  private value(expr: Expr, scopes: Scope[]): unknown {
    const v = this.eval(expr, scopes);
    return v === UNDEFINED ? null : v;
  }

  /** Evaluates in lenient mode: a missing variable gives UNDEFINED instead of an error. */
  private coalescing(expr: Expr, scopes: Scope[]): unknown {
    try {
      return this.eval(expr, scopes);
    } catch (e) {
      if (e instanceof TemplateError && e.code === 'UNDEFINED_VARIABLE' && e.expression !== this.source)
        throw e;
      if (e instanceof TemplateError && (e.code === 'LIMIT' || e.code === 'FORBIDDEN')) throw e;
      return UNDEFINED;
    }
  }

  private lenient(expr: Expr, scopes: Scope[]): unknown {
    try {
      return this.eval(expr, scopes);
    } catch (e) {
      if (e instanceof TemplateError && e.code === 'UNDEFINED_VARIABLE' && e.expression === this.source) {
        return UNDEFINED;
      }
      throw e;
    }
  }

  private eval(expr: Expr, scopes: Scope[]): unknown {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'name':
        return this.lookup(expr.name, scopes, expr.offset);
      case 'attr': {
        const object = this.eval(expr.object, scopes);
        const key = this.value(expr.key, scopes);
        if (object === UNDEFINED) return UNDEFINED;
        const result = getAttribute(object, key);
        if (result.found) return result.value;
        if (result.reason === 'forbidden') throw this.error('FORBIDDEN', result.message, expr.offset);
        return this.missing(toOutputString(key), expr.offset);
      }
      case 'list':
        return expr.items.map((item) => this.value(item, scopes));
      case 'map': {
        const map: Record<string, unknown> = {};
        for (const entry of expr.entries) {
          const key = toOutputString(this.value(entry.key, scopes));
          if (key === '__proto__')
            throw this.error('FORBIDDEN', 'Access to "__proto__" is not allowed', expr.offset);
          map[key] = this.value(entry.value, scopes);
        }
        return map;
      }
      case 'unary': {
        const v = this.value(expr.operand, scopes);
        if (expr.op === 'not') return !isTruthy(v);
        if (typeof v !== 'number')
          throw this.error('TYPE', `Cannot apply "${expr.op}" to ${typeName(v)}`, expr.offset);
        return expr.op === '-' ? -v : v;
      }
      case 'ternary':
        return isTruthy(this.value(expr.condition, scopes))
          ? this.eval(expr.then, scopes)
          : this.eval(expr.otherwise, scopes);
      case 'binary':
        return this.binary(expr, scopes);
      case 'call':
        return this.call(expr.name, expr.args, scopes, expr.offset);
      case 'filter': {
        const filter = this.settings.builtins.filters.get(expr.name);
        if (filter === undefined)
          throw this.error('SYNTAX', `Filter [${expr.name}] does not exist`, expr.offset);
        const input =
          expr.name === 'default' ? this.lenient(expr.input, scopes) : this.value(expr.input, scopes);
        const args = this.args(expr.args, scopes);
        return this.guard(
          () => filter(input === UNDEFINED ? null : input, args, this.callContext()),
          expr.offset,
        );
      }
      case 'test': {
        const test = this.settings.builtins.tests.get(expr.name);
        if (test === undefined) throw this.error('SYNTAX', `Test [${expr.name}] does not exist`, expr.offset);
        const input =
          expr.name === 'defined' ? this.lenient(expr.input, scopes) : this.value(expr.input, scopes);
        if (expr.name === 'defined') return (input !== UNDEFINED && input !== null) !== expr.negated;
        const args = this.args(expr.args, scopes);
        return this.guard(() => test(input, args), expr.offset) !== expr.negated;
      }
    }
  }

  private binary(expr: Extract<Expr, { kind: 'binary' }>, scopes: Scope[]): unknown {
    switch (expr.op) {
      case 'and':
        return isTruthy(this.value(expr.left, scopes)) && isTruthy(this.value(expr.right, scopes));
      case 'or':
        return isTruthy(this.value(expr.left, scopes)) || isTruthy(this.value(expr.right, scopes));
      case '??': {
        // Kestra's NullCoalescingExpression catches any PebbleException of the left side
        // (a missing KV key with `errorOnMissing`, a function error), not only undefined names.
        const left = this.coalescing(expr.left, scopes);
        return left === UNDEFINED || left === null ? this.eval(expr.right, scopes) : left;
      }
      case '???': {
        const left = this.lenient(expr.left, scopes);
        return left === UNDEFINED ? this.eval(expr.right, scopes) : left;
      }
      default:
        break;
    }
    const left = this.value(expr.left, scopes);
    const right = this.value(expr.right, scopes);
    return this.guard(() => {
      switch (expr.op) {
        case '==':
          return templateEquals(left, right);
        case '!=':
          return !templateEquals(left, right);
        case '<':
          return compare(left, right, '<') < 0;
        case '>':
          return compare(left, right, '>') > 0;
        case '<=':
          return compare(left, right, '<=') <= 0;
        case '>=':
          return compare(left, right, '>=') >= 0;
        case '+':
        case '-':
        case '*':
        case '/':
        case '%':
          return arithmetic(expr.op, left, right);
        case '~':
          return toOutputString(left) + toOutputString(right);
        case '..':
          return range(left, right);
        case 'contains':
          return contains(left, right);
        case 'in':
          return contains(right, left);
        case 'not in':
          return !contains(right, left);
        default:
          throw new FilterFailure(`Unknown operator ${expr.op}`);
      }
    }, expr.offset);
  }

  private lookup(name: string, scopes: Scope[], offset: number): unknown {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const scope = scopes[i] as Scope;
      if (scope.has(name)) return scope.get(name);
    }
    const result = getAttribute(isPlainObject(this.variables) ? this.variables : {}, name);
    if (result.found) return result.value;
    if (result.reason === 'forbidden') throw this.error('FORBIDDEN', result.message, offset);
    return this.missing(name, offset);
  }

  private missing(name: string, offset: number): unknown {
    if (!this.settings.strict) return UNDEFINED;
    const { line, column } = sourcePosition(this.source, offset);
    throw new TemplateError(
      'UNDEFINED_VARIABLE',
      `Unable to find \`${name}\` used in the expression \`${this.source}\` at line ${line}`,
      { expression: this.source, line, column, position: offset, variable: name },
    );
  }

  private args(args: Args, scopes: Scope[]): CallArgs {
    const named = new Map<string, unknown>();
    for (const n of args.named) named.set(n.name, this.value(n.value, scopes));
    return new CallArgs(
      args.positional.map((a) => this.value(a, scopes)),
      named,
    );
  }

  private call(name: string, argExprs: Args, scopes: Scope[], offset: number): unknown {
    const args = this.args(argExprs, scopes);
    const provided = Object.hasOwn(this.settings.functions, name) ? this.settings.functions[name] : undefined;
    if (typeof provided === 'function') {
      return this.guard(() => provided(args.positional, args.namedRecord(), this.callContext()), offset);
    }
    const builtin = this.settings.builtins.functions.get(name);
    if (builtin === undefined)
      throw this.error('FUNCTION', `Function or Macro [${name}] does not exist`, offset);
    return this.guard(() => builtin(args, this.callContext()), offset);
  }

  private callContext(): TemplateCallContext {
    return {
      variables: this.variables,
      now: this.settings.now,
      render: (template: string) => this.renderNested(template),
    };
  }

  /** `render()` from inside a template: same variables and limits, one level deeper. */
  private renderNested(template: string): string {
    if (this.budget.depth + 1 > LIMITS.maxRenderDepth) {
      throw new FilterFailure(`render() nested deeper than ${LIMITS.maxRenderDepth} levels`, 'LIMIT');
    }
    this.budget.depth++;
    try {
      return new Runtime(template, this.variables, this.settings, this.budget).renderNodes(
        parseTemplate(template),
      );
    } finally {
      this.budget.depth--;
    }
  }

  /** Runs a filter, function or operator; turns its failure into a TemplateError that names the template. */
  private guard<T>(fn: () => T, offset: number): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      if (e instanceof FilterFailure) throw this.error(e.code, e.message, offset, e);
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        throw this.error('LIMIT', 'Template recursion too deep', offset, e);
      }
      const message = e instanceof Error ? e.message : String(e);
      throw this.error('FUNCTION', message, offset, e);
    }
  }

  private error(code: TemplateErrorCode, message: string, offset: number, cause?: unknown): TemplateError {
    const { line, column } = sourcePosition(this.source, offset);
    return new TemplateError(code, `${message} in the expression \`${this.source}\` at line ${line}`, {
      expression: this.source,
      line,
      column,
      position: offset,
      cause,
    });
  }
}
