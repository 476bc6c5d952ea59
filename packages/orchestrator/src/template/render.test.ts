import { describe, expect, it } from 'vitest';
import { evaluate, isTemplate, isTruthy, render, renderTyped, renderValue, TemplateError } from './index.js';
import type { TemplateErrorCode } from './template-error.js';

const ctx: Record<string, unknown> = {
  inputs: {
    string: 'myString',
    int: 42,
    float: 42.42,
    bool: false,
    nullable: null,
    array: [1, 2, 3],
    json: { a: 1, b: [true, null], c: 'x' },
    emptyKey: { foo: '' },
    emptySubObject: { json: { someEmptyObject: {} } },
    failed: false,
    param: 'fail',
    nested: { more: { int: 123 } },
    words: 'hello big world',
    padded: '  pad  ',
    csv: 'a,b,,c',
    'from-parent': 'parent-value',
  },
  outputs: {
    '1-2-1_return': { s1: { 'a a': { value: 'deep' }, b: { value: 'bee' } } },
    output: { values: { taskrun_data: 1 } },
    t2: { value: 'value1' },
    'error-t1': { value: 'error value' },
    '1-1-1_output': { v11: { v21: { v31: { value: 'return-v11-v21-v31' } } } },
  },
  taskrun: { value: 'a a', id: 'tr1', attemptsCount: 3, startDate: '2024-12-01T10:11:12.345Z' },
  parents: [{ taskrun: { value: 'v21' } }, { taskrun: { value: 'v11' } }],
  parent: { taskrun: { value: '{"key": "my-complex", "value": {"sub": 1, "bool": true}}' } },
  flow: { id: 'return', namespace: 'io.kestra.tests' },
  task: { id: 'task-id', type: 'io.kestra.plugin.core.debug.Return' },
  labels: { key1: 'value1' },
  trigger: { body: { hello: 'world' } },
  execution: { id: 'exec1', startDate: '2024-12-01T10:11:12.345Z' },
  list: [3, 1, 2],
  names: ['b', 'a', 'c'],
  map: { x: 1, y: 2 },
  n: -7,
  t: 'true',
  f: 'false',
  zero: '0',
  minusZero: '-0',
  one: '1',
};

type Row = [template: string, expected: string | { error: TemplateErrorCode; message?: string }];

const rows: Row[] = [
  // plain text and printing
  ['no template here', 'no template here'],
  ['{{ inputs.string }}', 'myString'],
  ['{{inputs.string}}', 'myString'],
  ['{{ inputs.int }}', '42'],
  ['{{ inputs.float }}', '42.42'],
  ['{{ inputs.bool }}', 'false'],
  ['{{ inputs.nullable }}', ''],
  ['{{ inputs.array }}', '[1,2,3]'],
  ['{{ inputs.json }}', '{"a":1,"b":[true,null],"c":"x"}'],
  ['{{ 1.50 }}', '1.5'],
  ['{{ true }}', 'true'],
  ['{{ null }}', ''],
  ['a {{ 1 }} b {{ 2 }} c', 'a 1 b 2 c'],
  // attribute access
  ["{{ outputs['1-2-1_return'].s1['a a'].value }}", 'deep'],
  ['{{ outputs["1-2-1_return"]["s1"][taskrun.value].value }}', 'deep'],
  [
    "{{ outputs['1-1-1_output'][parents[1].taskrun.value][parents[0].taskrun.value]['v31'].value }}",
    'return-v11-v21-v31',
  ],
  ["{{ outputs.output['values']['taskrun_data'] == 1 }}", 'true'],
  ["{{ outputs.output['values']['taskrun_data'] == 2 }}", 'false'],
  ["{{ inputs['from-parent'] }}", 'parent-value'],
  ["{{ inputs['emptyKey']['foo'] }}", ''],
  ['{{ inputs.emptySubObject.json.someEmptyObject }}', '{}'],
  ['{{ inputs.nested.more.int }}', '123'],
  ['{{ inputs.array[0] }}', '1'],
  ['{{ inputs.array[2] }}', '3'],
  ['{{ parents[0].taskrun.value }}', 'v21'],
  ['{{ labels.key1 }}', 'value1'],
  ['{{ task.id }} > {{ flow.id }}', 'task-id > return'],
  ["{{ flow.namespace ~ '.' ~ flow.id }}", 'io.kestra.tests.return'],
  // strict mode
  [
    '{{ inputs.invalid }}',
    {
      error: 'UNDEFINED_VARIABLE',
      message: 'Unable to find `invalid` used in the expression `{{ inputs.invalid }}` at line 1',
    },
  ],
  [
    '{{missingVar}}',
    {
      error: 'UNDEFINED_VARIABLE',
      message: 'Unable to find `missingVar` used in the expression `{{missingVar}}` at line 1',
    },
  ],
  [
    'line1\n{{ nope.x }}',
    {
      error: 'UNDEFINED_VARIABLE',
      message: 'Unable to find `nope` used in the expression `line1\n{{ nope.x }}` at line 2',
    },
  ],
  [
    "{{ taskrun.attemptsCount == 1 ? 'ok' : ko }}",
    { error: 'UNDEFINED_VARIABLE', message: 'Unable to find `ko`' },
  ],
  ["{{ taskrun.attemptsCount == 3 ? 'ok' : ko }}", 'ok'],
  ['{{ outputs.notexists == 2 }}', { error: 'UNDEFINED_VARIABLE' }],
  ['{{ inputs.array[7] }}', { error: 'UNDEFINED_VARIABLE' }],
  ['{{ inputs.nullable.x }}', { error: 'UNDEFINED_VARIABLE' }],
  // null coalescing and defined
  ["{{ outputs.not_existing ?? '' }}", ''],
  ["{{ outputs.not_existing.deeper ?? 'fallback' }}", 'fallback'],
  ["{{ inputs.nullable ?? 'was null' }}", 'was null'],
  ["{{ outputs.default.value ?? outputs['error-t1'].value }}", 'error value'],
  ["{{ inputs.string ?? 'unused' }}", 'myString'],
  ["{{ inputs.nullable ??? 'x' }}", ''],
  ["{{ inputs.missing ??? 'x' }}", 'x'],
  ['{{ inputs.crash is defined }}', 'false'],
  ['{{ inputs.string is defined }}', 'true'],
  ['{{ inputs.crash is not defined }}', 'true'],
  ['{{ inputs.nullable is null }}', 'true'],
  ['{{ inputs.string is not null }}', 'true'],
  ["{{ inputs.missing | default('dflt') }}", 'dflt'],
  ["{{ inputs.padded | default('dflt') }}", '  pad  '],
  ["{{ '' | default('dflt') }}", 'dflt'],
  // operators
  ['{{ 1 + 2 * 3 }}', '7'],
  ['{{ (1 + 2) * 3 }}', '9'],
  ['{{ 10 - 4 - 3 }}', '3'],
  ['{{ 7 / 2 }}', '3'],
  ['{{ 7.0 / 2 }}', '3'],
  ['{{ 7.5 / 2 }}', '3.75'],
  ['{{ 7 % 3 }}', '1'],
  ['{{ -inputs.int }}', '-42'],
  ['{{ 1 == 1 }}', 'true'],
  ["{{ '1' == 1 }}", 'false'],
  ['{{ 1 != 2 }}', 'true'],
  ['{{ 2 > 1 and 1 >= 1 }}', 'true'],
  ['{{ 2 < 1 or 1 <= 0 }}', 'false'],
  ['{{ not inputs.bool }}', 'true'],
  ['{{ inputs.failed == false }}', 'true'],
  ['{{ inputs.param == "fail" }}', 'true'],
  ["{{ trigger.body.hello == 'world' }}", 'true'],
  ["{{ 'a' ~ 1 ~ true }}", 'a1true'],
  ["{{ inputs.int > 40 ? 'big' : 'small' }}", 'big'],
  ['{{ 2 in inputs.array }}', 'true'],
  ['{{ 9 not in inputs.array }}', 'true'],
  ['{{ inputs.array contains 3 }}', 'true'],
  ["{{ inputs.words contains 'big' }}", 'true'],
  ["{{ inputs.json contains 'c' }}", 'true'],
  ['{{ [1, 2] == [1, 2] }}', 'true'],
  ["{{ {'a': 1} == {'a': 1} }}", 'true'],
  ['{{ 1..4 }}', '[1,2,3,4]'],
  ["{{ 'a' * 2 }}", { error: 'TYPE' }],
  ["{{ {'a': {'b': [1, 'two']}} }}", '{"a":{"b":[1,"two"]}}'],
  ['{{ [] }}', '[]'],
  // tests
  ['{{ parent.taskrun.value is json }}', 'true'],
  ["{{ 'value 1' is json }}", 'false'],
  ['{{ inputs.json is json }}', 'true'],
  ['{{ 4 is even }}', 'true'],
  ['{{ 3 is odd }}', 'true'],
  ['{{ inputs.array is empty }}', 'false'],
  ["{{ '' is empty }}", 'true'],
  ['{{ inputs.json is map }}', 'true'],
  ['{{ inputs.array is iterable }}', 'true'],
  // string filters
  ['{{ inputs.string | upper }}', 'MYSTRING'],
  ['{{ inputs.string | lower }}', 'mystring'],
  ['{{ inputs.padded | trim }}', 'pad'],
  ['{{ inputs.words | capitalize }}', 'Hello big world'],
  ['{{ inputs.words | title }}', 'Hello Big World'],
  ['{{ inputs.words | abbreviate(8) }}', 'hello...'],
  ["{{ inputs.words | replace({'big': 'small', 'o': '0'}) }}", 'hell0 small w0rld'],
  ["{{ 'a1b22' | replace({'\\\\d+': '#'}, regexp=true) }}", 'a#b#'],
  ["{{ 'Héllo, Wörld!' | slugify }}", 'hello-world'],
  ["{{ 'a.b.c' | substringBefore('.') }}", 'a'],
  ["{{ 'a.b.c' | substringAfter('.') }}", 'b.c'],
  ["{{ 'a.b.c' | substringBeforeLast('.') }}", 'a.b'],
  ["{{ 'a.b.c' | substringAfterLast('.') }}", 'c'],
  ["{{ 'abc' | substringAfter('x') }}", ''],
  ["{{ inputs.words | startsWith('hello') }}", 'true'],
  ["{{ inputs.words | endsWith('hello') }}", 'false'],
  ["{{ \"it's\" | escapeChar('single') }}", "it\\'s"],
  ["{{ \"it's\" | escapeChar('shell') }}", "it'\\''s"],
  ["{{ 'a b&c' | urlencode }}", 'a+b%26c'],
  ["{{ 'hello' | base64encode }}", 'aGVsbG8='],
  ["{{ 'aGVsbG8=' | base64decode }}", 'hello'],
  ["{{ 'abc' | sha256 }}", 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ["{{ 'abc' | md5 }}", '900150983cd24fb0d6963f7d28e17f72'],
  ["{{ inputs.csv | split(',') }}", '["a","b","","c"]'],
  ["{{ inputs.csv | split(',', 2) }}", '["a","b,,c"]'],
  // collection filters
  ['{{ inputs.array | length }}', '3'],
  ['{{ inputs.string | length }}', '8'],
  ['{{ inputs.json | length }}', '3'],
  ['{{ inputs.array | first }}', '1'],
  ['{{ inputs.array | last }}', '3'],
  ["{{ inputs.array | join(', ') }}", '1, 2, 3'],
  ['{{ inputs.json | keys }}', '["a","b","c"]'],
  ['{{ map | values }}', '[1,2]'],
  ['{{ list | sort }}', '[1,2,3]'],
  ['{{ names | sort | reverse }}', '["c","b","a"]'],
  ['{{ list | rsort }}', '[3,2,1]'],
  ['{{ inputs.array | slice(1, 3) }}', '[2,3]'],
  ["{{ 'abcdef' | slice(2) }}", 'cdef'],
  ['{{ [1, 1, 2] | distinct }}', '[1,2]'],
  ['{{ [1, 2, 3, 4, 5] | chunk(2) }}', '[[1,2],[3,4],[5]]'],
  ["{{ {'a': 1} | merge({'b': 2}) }}", '{"a":1,"b":2}'],
  // number filters
  ['{{ n | abs }}', '7'],
  ["{{ '12' | number + 1 }}", '13'],
  ["{{ '1.5' | number }}", '1.5'],
  ["{{ 'x' | number }}", { error: 'FUNCTION' }],
  ['{{ 3.14159 | round(2) }}', '3.14'],
  // json filters and functions
  ['{{ trigger | json }}', '{"body":{"hello":"world"}}'],
  ['{{ inputs.string | toJson }}', '"myString"'],
  ['{{ fromJson(\'{"a": [1, 2]}\').a[1] }}', '2'],
  ["{{ json('[10, 20]')[0] }}", '10'],
  ["{{ parent.taskrun.value | jq('.key') }}", '["my-complex"]'],
  ["{{ parent.taskrun.value | jq('.value') }}", '[{"sub":1,"bool":true}]'],
  ["{{ parent.taskrun.value | jq('.value.sub') | first }}", '1'],
  ["{{ inputs.array | jq('.[]') }}", '[1,2,3]'],
  ["{{ inputs.json | jq('.') }}", '[{"a":1,"b":[true,null],"c":"x"}]'],
  ["{{ 'value 1' | jq('.key') }}", { error: 'FUNCTION' }],
  ["{{ inputs.json | jq('map(.a)') }}", { error: 'FUNCTION' }],
  // the real jq (jq-web): builtins, objects, several results
  ['{{ inputs.json | jq(\'has("a")\') | first }}', 'true'],
  ["{{ inputs.json | jq('[.b[] | select(. != null)] | length') }}", '[1]'],
  ['{{ inputs.json | jq(\'to_entries | map(.key) | join("-")\') }}', '["a-b-c"]'],
  ["{{ inputs.array | jq('.[] | . * 2') }}", '[2,4,6]'],
  ["{{ inputs.array | jq('map(select(. > 5)) | add') }}", '[null]'],
  ["{{ '{\"a\":1}' | jq('.__proto__') }}", '[null]'],
  ["{{ inputs.json | jq('.a |||') }}", { error: 'FUNCTION' }],
  // dates
  ["{{ execution.startDate | date('yyyy-MM-dd') }}", '2024-12-01'],
  ['{{ execution.startDate | date("yyyy-MM-dd\'T\'HH:mm:ss.SSSXXX") }}', '2024-12-01T10:11:12.345Z'],
  ["{{ execution.startDate | date('iso8601') }}", '2024-12-01T10:11:12.345Z'],
  ['{{ execution.startDate | date }}', '2024-12-01T10:11:12.345000Z'],
  ["{{ execution.startDate | date('HH:mm', timeZone='Europe/Paris') }}", '11:11'],
  ["{{ execution.startDate | date('EEEE d MMMM yyyy hh a') }}", 'Sunday 1 December 2024 10 AM'],
  ["{{ '2024-01-31T00:00:00Z' | dateAdd(1, 'MONTHS', 'yyyy-MM-dd') }}", '2024-02-29'],
  ["{{ '2024-01-31T00:00:00Z' | dateAdd(-2, 'HOURS', 'yyyy-MM-dd HH:mm') }}", '2024-01-30 22:00'],
  [
    "{{ '2024-03-30T12:00:00+01:00' | dateAdd(1, 'DAYS', 'iso_sec', timeZone='Europe/Paris') }}",
    '2024-03-31T12:00:00+02:00',
  ],
  ["{{ '1970-01-01T00:00:01.5Z' | timestampMillis }}", '1500'],
  ["{{ '1970-01-01T00:01:00Z' | timestamp }}", '60'],
  [
    "{{ '01/02/2024 13:14' | date('yyyy-MM-dd HH:mm', existingFormat='dd/MM/yyyy HH:mm') }}",
    '2024-02-01 13:14',
  ],
  ['{{ 86400 | date("yyyy-MM-dd") }}', '1970-01-02'],
  ["{{ 'not a date' | date('yyyy') }}", { error: 'FUNCTION' }],
  ["{{ now('yyyy') }}", '2025'],
  ["{{ now(timeZone='Asia/Tokyo', format='HH') }}", '09'],
  // functions
  ['{{ range(1, 3) }}', '[1,2,3]'],
  ['{{ range(0, 10, 5) }}', '[0,5,10]'],
  ['{{ min(3, 1, 2) }}', '1'],
  ['{{ max([3, 9, 2]) }}', '9'],
  ["{{ render('{{ inputs.string }}!') }}", 'myString!'],
  ["{{ nope('x') }}", { error: 'FUNCTION', message: 'Function or Macro [nope] does not exist' }],
  ["{{ 'x' | nofilter }}", { error: 'SYNTAX' }],
  // tags
  ['{% if inputs.bool %}yes{% else %}no{% endif %}', 'no'],
  ['{% if inputs.int > 50 %}a{% elseif inputs.int > 40 %}b{% else %}c{% endif %}', 'b'],
  ['{% if t %}T{% endif %}{% if f %}F{% endif %}{% if zero %}0{% endif %}{% if one %}1{% endif %}', 'T1'],
  ['{% for x in inputs.array %}{{ x }}{% endfor %}', '123'],
  [
    '{% for x in inputs.array %}{{ loop.index }}{{ loop.first }}{{ loop.last }};{% endfor %}',
    '0truefalse;1falsefalse;2falsetrue;',
  ],
  ['{% for x in [] %}x{% else %}empty{% endfor %}', 'empty'],
  ['{% for x in inputs.nullable %}x{% else %}none{% endfor %}', 'none'],
  ['{% for e in map %}{{ e.key }}={{ e.value }} {% endfor %}', 'x=1 y=2 '],
  ["{% set greeting = 'hi ' ~ inputs.string %}{{ greeting }}", 'hi myString'],
  ['{# a comment #}after', 'after'],
  ['a  {{- 1 -}}  b', 'a1b'],
  ['a\n  {%- if true -%}\n  x\n  {%- endif -%}\n b', 'axb'],
  ['{% raw %}{{ not rendered }}{% endraw %}', '{{ not rendered }}'],
  [
    '{%- for log in [{"taskId": "failed", "message": "Task failure"}] -%}\n- task: {{ log.taskId }}, message: {{ log.message }}\n{%- endfor -%}\n',
    '- task: failed, message: Task failure',
  ],
  [
    '{% for i in range(1, 3) %}{% for j in range(1, 2) %}{{ i }}{{ j }} {% endfor %}{% endfor %}',
    '11 12 21 22 31 32 ',
  ],
  // syntax errors
  ['{{ 1 + }}', { error: 'SYNTAX' }],
  ['{{ inputs.string ', { error: 'SYNTAX' }],
  ['{% if true %}no end', { error: 'SYNTAX' }],
  ['{% macro x() %}{% endmacro %}', { error: 'SYNTAX' }],
  ["{{ 'unclosed }}", { error: 'SYNTAX' }],
];

describe('render', () => {
  const fixedNow = () => new Date('2025-06-01T00:00:00.000Z');
  it.each(rows)('%j', (template, expected) => {
    if (typeof expected === 'string') {
      expect(render(template, ctx, { now: fixedNow })).toBe(expected);
      return;
    }
    let caught: unknown;
    try {
      render(template, ctx, { now: fixedNow });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect((caught as TemplateError).code).toBe(expected.error);
    if (expected.message) expect((caught as TemplateError).message).toContain(expected.message);
  });

  it('has at least 100 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(100);
  });

  it('reports syntax errors with their position', () => {
    try {
      render('ok\n{{ 1 + * }}', {});
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      const err = e as TemplateError;
      expect(err.code).toBe('SYNTAX');
      expect(err.line).toBe(2);
      expect(err.column).toBe(8);
      expect(err.expression).toBe('ok\n{{ 1 + * }}');
    }
  });

  it('renders undefined variables as empty when strict is off', () => {
    expect(render('[{{ nope.deeper }}]', {}, { strict: false })).toBe('[]');
  });

  it('calls engine-supplied functions with positional and named arguments', () => {
    const kv = (args: unknown[], named: Record<string, unknown>) =>
      args[0] === 'my-key' ? { field: 'value', ns: args[1] ?? named.namespace ?? null } : null;
    expect(render("{{ kv('my-key').field ?? null }}", {}, { functions: { kv } })).toBe('value');
    expect(render("{{ kv('other').field ?? null }}", {}, { functions: { kv } })).toBe('');
    expect(render("{{ kv('my-key', namespace='ns').ns }}", {}, { functions: { kv } })).toBe('ns');
    const failing = () => {
      throw new Error("The key 'my-key' does not exist in the namespace 'io.kestra.tests'");
    };
    expect(() => render("{{ kv('my-key') }}", {}, { functions: { kv: failing } })).toThrow(
      "The key 'my-key' does not exist in the namespace 'io.kestra.tests'",
    );
  });

  it('lets functions see the variables (currentEachOutput)', () => {
    const currentEachOutput = (
      args: unknown[],
      _n: Record<string, unknown>,
      c: { variables: Readonly<Record<string, unknown>> },
    ) => {
      const taskrun = c.variables.taskrun as { value: string };
      return (args[0] as Record<string, unknown>)[taskrun.value];
    };
    const vars = { taskrun: { value: 'v41' }, outputs: { x: { v41: { value: 'return-v41' } } } };
    expect(
      render('{{ currentEachOutput(outputs.x).value }}', vars, { functions: { currentEachOutput } }),
    ).toBe('return-v41');
  });
});

describe('renderTyped, renderValue, evaluate, isTemplate, isTruthy', () => {
  it('keeps the type of a single expression', () => {
    expect(renderTyped('{{ inputs.array }}', ctx)).toEqual([1, 2, 3]);
    expect(renderTyped('{{inputs.int}}', ctx)).toBe(42);
    expect(renderTyped('n={{ inputs.int }}', ctx)).toBe('n=42');
    expect(renderTyped('plain', ctx)).toBe('plain');
  });

  it('renders strings deep inside values', () => {
    expect(
      renderValue({ a: '{{ inputs.int }}', b: ['{{ task.id }}', 3, null], '{{ k }}': true }, ctx),
    ).toEqual({
      a: '42',
      b: ['task-id', 3, null],
      '{{ k }}': true,
    });
  });

  it('evaluates bare expressions to typed values', () => {
    expect(evaluate('inputs.int + 1', ctx)).toBe(43);
    expect(evaluate("outputs.output['values']", ctx)).toEqual({ taskrun_data: 1 });
    expect(evaluate('inputs.crash is defined', ctx)).toBe(false);
    expect(() => evaluate('inputs.crash', ctx)).toThrow(TemplateError);
  });

  it('detects templates', () => {
    expect(isTemplate('{{ x }}')).toBe(true);
    expect(isTemplate('{% if %}')).toBe(true);
    expect(isTemplate('{"a":1}')).toBe(false);
  });

  it.each([
    [true, true],
    ['true', true],
    [1, true],
    ['1', true],
    ['yes', true],
    [[1], true],
    [false, false],
    ['false', false],
    [0, false],
    ['0', false],
    ['-0', false],
    ['', false],
    [null, false],
    [[], false],
  ])('isTruthy(%j) is %s', (value, expected) => {
    expect(isTruthy(value)).toBe(expected);
  });
});
