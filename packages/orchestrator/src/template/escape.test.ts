import { describe, expect, it } from 'vitest';
import { evaluate, render, TemplateError } from './index.js';

class Secretive {
  secret = 'hidden';
  get computed(): string {
    return 'ran a getter';
  }
}

const ctx: Record<string, unknown> = {
  inputs: { a: 1, list: [1, 2] },
  instance: new Secretive(),
  withGetter: Object.defineProperty({}, 'g', { get: () => 'ran', enumerable: true }),
  fn: () => 'called',
  date: new Date(0),
  self: 'x',
};

/** Each template must fail with a TemplateError, quickly, and never reach Node. */
const attacks: Array<[string, string]> = [
  ["{{ ''.constructor.constructor('return process')() }}", 'FORBIDDEN'],
  ["{{ ''.constructor }}", 'FORBIDDEN'],
  ["{{ inputs['constructor']['constructor'] }}", 'FORBIDDEN'],
  ['{{ inputs.__proto__ }}', 'FORBIDDEN'],
  ["{{ inputs['__proto__'] }}", 'FORBIDDEN'],
  ['{{ inputs.prototype }}', 'FORBIDDEN'],
  ["{{ {'__proto__': {'polluted': 1}} }}", 'FORBIDDEN'],
  ['{{ constructor }}', 'FORBIDDEN'],
  ['{{ [].map }}', 'UNDEFINED_VARIABLE'],
  ["{{ [].map('x') }}", 'FORBIDDEN'],
  ["{{ 'abc'.toUpperCase() }}", 'FORBIDDEN'],
  ["{{ 'abc'.length }}", 'UNDEFINED_VARIABLE'],
  ['{{ inputs.list.push }}', 'UNDEFINED_VARIABLE'],
  ['{{ toString }}', 'UNDEFINED_VARIABLE'],
  ['{{ hasOwnProperty }}', 'UNDEFINED_VARIABLE'],
  ['{{ inputs.hasOwnProperty }}', 'UNDEFINED_VARIABLE'],
  ['{{ instance.secret }}', 'UNDEFINED_VARIABLE'],
  ['{{ instance.computed }}', 'UNDEFINED_VARIABLE'],
  ['{{ withGetter.g }}', 'FORBIDDEN'],
  ['{{ fn }}', 'FORBIDDEN'],
  ['{{ fn() }}', 'FUNCTION'],
  ['{{ date.getTime }}', 'UNDEFINED_VARIABLE'],
  ["{{ (inputs)['a']() }}", 'FORBIDDEN'],
  ["{{ 'x' | constructor }}", 'SYNTAX'],
  ["{{ constructor('x') }}", 'FUNCTION'],
  ["{{ __proto__('x') }}", 'FUNCTION'],
  ['{{ x is constructor }}', 'SYNTAX'],
  ["{{ eval('1') }}", 'FUNCTION'],
  ["{{ Function('return 1') }}", 'FUNCTION'],
  ["{{ require('fs') }}", 'FUNCTION'],
  ['{{ process.env }}', 'UNDEFINED_VARIABLE'],
  ['{{ globalThis }}', 'UNDEFINED_VARIABLE'],
  ['{{ range(1, 1000000000) }}', 'LIMIT'],
  ['{{ range(1, 1e9) }}', 'SYNTAX'],
  ['{{ 1..100000000 }}', 'LIMIT'],
  ['{{ range(0, 10, 0) }}', 'FUNCTION'],
  ['{% for a in range(1, 100000) %}{% for b in range(1, 100000) %}{% endfor %}{% endfor %}', 'LIMIT'],
  ["{{ render('{{ \\'\\'.constructor }}') }}", 'FORBIDDEN'],
  ["{{ inputs.__proto__ ?? 'x' }}", 'FORBIDDEN'],
  ["{{ inputs.constructor | default('x') }}", 'FORBIDDEN'],
  ["{{ inputs.list | jq('.constructor') }}", 'FUNCTION'],
  // jq runs on JSON text in its own worker: no prototype to reach, a runaway program is cut off.
  ["{{ 1 | jq('last(repeat(1))') }}", 'LIMIT'],
];

describe('template sandbox', () => {
  it.each(attacks)('%s fails with %s', (template, code) => {
    const started = Date.now();
    let caught: unknown;
    try {
      render(template, ctx);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect((caught as TemplateError).code).toBe(code);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops self-recursive render() with a limit', () => {
    const vars = { loop: '{{ render(loop) }}x' };
    let caught: unknown;
    try {
      render('{{ render(loop) }}', vars);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect((caught as TemplateError).code).toBe('LIMIT');
  });

  it('stops render() that grows forever', () => {
    const vars = { grow: "{{ '{{ grow }}' ~ grow }}" };
    expect(() => render("{{ render('{{ grow }}') }}", vars)).toThrow(TemplateError);
  });

  it('caps the output size', () => {
    const big = 'x'.repeat(1024 * 1024);
    let caught: unknown;
    try {
      render('{% for i in range(1, 40) %}{{ big }}{% endfor %}', { big });
    } catch (e) {
      caught = e;
    }
    expect((caught as TemplateError).code).toBe('LIMIT');
  });

  it('refuses absurdly nested expressions instead of overflowing the stack', () => {
    const deep = `{{ ${'('.repeat(5000)}1${')'.repeat(5000)} }}`;
    let caught: unknown;
    try {
      render(deep, {});
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect((caught as TemplateError).code).toBe('LIMIT');
  });

  it('does not pollute Object.prototype', () => {
    try {
      render("{% set x = {'__proto__': {'polluted': 'yes'}} %}", {});
    } catch {
      // expected
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not leak values through evaluate either', () => {
    expect(() => evaluate("''.constructor", {})).toThrow(TemplateError);
    expect(() => evaluate('instance.secret', ctx)).toThrow(TemplateError);
  });

  it('prints class instances as null, never their fields', () => {
    expect(render('{{ [instance] }}', ctx)).toBe('[null]');
  });
});
