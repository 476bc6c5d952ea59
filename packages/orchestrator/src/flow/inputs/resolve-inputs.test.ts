import { describe, expect, it } from 'vitest';
import type { Input, InputType } from '../flow-model.js';
import { resolveInputs } from './resolve-inputs.js';

function input(id: string, type: InputType, extra: Partial<Input> = {}): Input {
  return { id, type, required: extra.defaults === undefined, props: {}, ...extra };
}

/** The inputs of ../shared/conformance/kestra-flows/inputs.yaml, as the flow parser normalises them. */
const inputsYaml: Input[] = [
  input('string', 'STRING'),
  input('enum', 'ENUM', { values: ['ENUM_VALUE', 'OTHER_ONE'] }),
  input('optional', 'STRING', { required: false }),
  input('int', 'INT'),
  input('bool', 'BOOLEAN', { required: false }),
  input('float', 'FLOAT'),
  input('instant', 'DATETIME'),
  input('date', 'DATE', { required: false }),
  input('time', 'TIME', { required: false }),
  input('duration', 'DURATION', { required: false }),
  input('file', 'FILE'),
  input('optionalFile', 'FILE', { required: false }),
  input('instantDefaults', 'DATETIME', { defaults: '2013-08-09T14:19:00Z', required: false }),
  input('json', 'JSON', { required: false }),
  input('uri', 'URI', { required: false }),
  input('nested.string', 'STRING', { required: false }),
  input('nested.more.int', 'INT', { required: false }),
  input('nested.bool', 'BOOLEAN', { required: false }),
  input('validatedString', 'STRING', { validator: 'A\\d+', required: false }),
  input('validatedInt', 'INT', { min: 10, max: 20, required: false }),
  input('validatedDate', 'DATE', { after: '2023-01-01', before: '2023-12-31', required: false }),
  input('validatedDateTime', 'DATETIME', {
    after: '2023-01-01T00:00:00Z',
    before: '2023-12-31T23:59:59Z',
    required: false,
  }),
  input('validatedDuration', 'DURATION', { min: 'PT10S', max: 'PT20S', required: false }),
  input('validatedFloat', 'FLOAT', { min: 0.1, max: 0.5, required: false }),
  input('validatedTime', 'TIME', { after: '01:00:00', before: '11:59:59', required: false }),
  input('secret', 'SECRET'),
  input('array', 'ARRAY', { itemType: 'INT' }),
  input('yaml', 'YAML', {
    defaults: {
      property: 'something',
      list: [
        { key: 'key1', value: 'value1' },
        { key: 'key2', value: 'value2' },
      ],
    },
    required: false,
  }),
  input('empty', 'STRING', { defaults: '', required: true }),
];

/** InputsTest's `inputs` map (strings, as a form would send them). */
const validRaw: Record<string, unknown> = {
  string: 'myString',
  enum: 'ENUM_VALUE',
  int: '42',
  float: '42.42',
  bool: 'false',
  instant: '2019-10-06T18:27:49Z',
  date: '2019-10-06',
  time: '18:27:49',
  duration: 'PT5M6S',
  file: 'kestra:///io/kestra/tests/inputs/executions/abc/inputs/file/application-test.yml',
  json: '{"a": "b"}',
  uri: 'https://www.google.com',
  'nested.string': 'a string',
  'nested.more.int': '123',
  'nested.bool': 'true',
  validatedString: 'A123',
  validatedInt: '12',
  validatedDate: '2023-06-15',
  validatedDateTime: '2023-06-15T00:00:00Z',
  validatedDuration: 'PT15S',
  validatedFloat: '0.42',
  validatedTime: '10:00:00',
  secret: 'secret',
  array: '[1, 2, 3]',
};

describe('resolveInputs on inputs.yaml', () => {
  it('types every valid input as Kestra does', () => {
    const r = resolveInputs(inputsYaml, validRaw);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.values;
    expect(v.string).toBe('myString');
    expect(v.optional).toBeNull();
    expect('optional' in v).toBe(true);
    expect(v.int).toBe(42);
    expect(v.float).toBe(42.42);
    expect(v.bool).toBe(false);
    expect(v.instant).toBe('2019-10-06T18:27:49Z');
    expect(v.instantDefaults).toBe('2013-08-09T14:19:00Z');
    expect(v.time).toBe('18:27:49');
    expect(v.duration).toBe('PT5M6S');
    expect(v.json).toEqual({ a: 'b' });
    expect(v.nested).toEqual({ string: 'a string', more: { int: 123 }, bool: true });
    expect(v.array).toEqual([1, 2, 3]);
    expect(v.yaml).toEqual({
      property: 'something',
      list: [
        { key: 'key1', value: 'value1' },
        { key: 'key2', value: 'value2' },
      ],
    });
    expect(v.empty).toBe('');
    expect(v.secret).toBe('secret');
    expect(v.optionalFile).toBeNull();
    expect(v.file).toMatch(
      /^kestra:\/\/\/io\/kestra\/tests\/inputs\/executions\/.*\/inputs\/file\/application-test.yml$/,
    );
  });

  it('reports a missing required input with Kestra message', () => {
    const { string: _omit, ...raw } = validRaw;
    const r = resolveInputs(inputsYaml, raw);
    expect(r).toEqual({
      ok: false,
      issues: [
        {
          input: 'string',
          message: 'Invalid input for `string`, missing required input, but received `null`',
        },
      ],
    });
  });

  it('stores uploaded files through storeFile', () => {
    const r = resolveInputs(
      inputsYaml,
      { ...validRaw, file: { name: 'application-test.yml', data: new TextEncoder().encode('a: 1') } },
      { storeFile: (id, f) => `kestra:///io/kestra/tests/inputs/executions/e1/inputs/${id}/${f.name}` },
    );
    expect(r.ok && r.values.file).toBe(
      'kestra:///io/kestra/tests/inputs/executions/e1/inputs/file/application-test.yml',
    );
  });

  it('reports every problem at once', () => {
    const r = resolveInputs(inputsYaml, { ...validRaw, validatedInt: '9', validatedString: 'B', int: 'x' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.input)).toEqual(['int', 'validatedString', 'validatedInt']);
  });
});

type Row = [name: string, input: Input, raw: unknown, expected: { value: unknown } | { error: string }];

const rows: Row[] = [
  // STRING
  ['string', input('s', 'STRING'), 'hello', { value: 'hello' }],
  ['string from number', input('s', 'STRING'), 12, { value: '12' }],
  [
    'string missing',
    input('string', 'STRING'),
    undefined,
    { error: 'Invalid input for `string`, missing required input, but received `null`' },
  ],
  ['string validator ok', input('v', 'STRING', { validator: 'A\\d+' }), 'A42', { value: 'A42' }],
  [
    'string validator is a full match',
    input('validatedString', 'STRING', { validator: 'A\\d+' }),
    'A42b',
    { error: 'Invalid input for `validatedString`, it must match the pattern `A\\d+`, but received `A42b`' },
  ],
  ['string default', input('s', 'STRING', { defaults: 'dflt' }), undefined, { value: 'dflt' }],
  ['string given beats default', input('s', 'STRING', { defaults: 'dflt' }), 'given', { value: 'given' }],
  ['string optional absent', input('s', 'STRING', { required: false }), undefined, { value: null }],
  [
    'string required with empty default',
    input('empty', 'STRING', { defaults: '', required: true }),
    undefined,
    { value: '' },
  ],
  // INT
  ['int', input('i', 'INT'), '42', { value: 42 }],
  ['int typed', input('i', 'INT'), 42, { value: 42 }],
  ['int negative', input('i', 'INT'), '-5', { value: -5 }],
  [
    'int not a number',
    input('i', 'INT'),
    'abc',
    { error: 'Invalid input for `i`, For input string: "abc", but received `abc`' },
  ],
  [
    'int decimal',
    input('i', 'INT'),
    '4.2',
    { error: 'Invalid input for `i`, For input string: "4.2", but received `4.2`' },
  ],
  [
    'int overflow',
    input('i', 'INT'),
    '3000000000',
    { error: 'Invalid input for `i`, Expected `INT` but received `3000000000`, but received `3000000000`' },
  ],
  [
    'int min',
    input('validatedInt', 'INT', { min: 10, max: 20 }),
    '9',
    { error: 'Invalid input for `validatedInt`, it must be more than `10`, but received `9`' },
  ],
  [
    'int max',
    input('validatedInt', 'INT', { min: 10, max: 20 }),
    '21',
    { error: 'Invalid input for `validatedInt`, it must be less than `20`, but received `21`' },
  ],
  ['int in bounds', input('validatedInt', 'INT', { min: 10, max: 20 }), '20', { value: 20 }],
  // FLOAT
  ['float', input('f', 'FLOAT'), '42.42', { value: 42.42 }],
  ['float typed', input('f', 'FLOAT'), 1.5, { value: 1.5 }],
  [
    'float bad',
    input('f', 'FLOAT'),
    'x1',
    { error: 'Invalid input for `f`, For input string: "x1", but received `x1`' },
  ],
  [
    'float min',
    input('validatedFloat', 'FLOAT', { min: 0.1, max: 0.5 }),
    '0.01',
    { error: 'Invalid input for `validatedFloat`, it must be more than `0.1`, but received `0.01`' },
  ],
  [
    'float max',
    input('validatedFloat', 'FLOAT', { min: 0.1, max: 0.5 }),
    '0.6',
    { error: 'Invalid input for `validatedFloat`, it must be less than `0.5`, but received `0.6`' },
  ],
  // BOOLEAN
  ['boolean true', input('b', 'BOOLEAN'), 'true', { value: true }],
  ['boolean TRUE', input('b', 'BOOLEAN'), 'TRUE', { value: true }],
  ['boolean false', input('b', 'BOOLEAN'), 'false', { value: false }],
  ['boolean other text is false (Boolean.valueOf)', input('b', 'BOOLEAN'), 'yes', { value: false }],
  ['boolean typed', input('b', 'BOOLEAN'), true, { value: true }],
  [
    'boolean default false',
    input('errorOnMissing', 'BOOLEAN', { defaults: false, required: false }),
    undefined,
    { value: false },
  ],
  // DATETIME
  ['datetime', input('d', 'DATETIME'), '2019-10-06T18:27:49Z', { value: '2019-10-06T18:27:49Z' }],
  [
    'datetime with offset becomes UTC',
    input('d', 'DATETIME'),
    '2019-10-06T20:27:49.5+02:00',
    { value: '2019-10-06T18:27:49.500Z' },
  ],
  [
    'datetime without zone',
    input('d', 'DATETIME'),
    '2019-10-06T18:27:49',
    {
      error:
        "Invalid input for `d`, Expected `DATETIME` but received `2019-10-06T18:27:49` with errors: Text '2019-10-06T18:27:49' could not be parsed, but received `2019-10-06T18:27:49`",
    },
  ],
  [
    'datetime after',
    input('validatedDateTime', 'DATETIME', { after: '2023-01-01T00:00:00Z', before: '2023-12-31T23:59:59Z' }),
    '2022-12-31T23:59:59Z',
    {
      error:
        'Invalid input for `validatedDateTime`, it must be after `2023-01-01T00:00:00Z`, but received `2022-12-31T23:59:59Z`',
    },
  ],
  [
    'datetime before',
    input('validatedDateTime', 'DATETIME', { after: '2023-01-01T00:00:00Z', before: '2023-12-31T23:59:59Z' }),
    '2024-01-01T00:00:00Z',
    {
      error:
        'Invalid input for `validatedDateTime`, it must be before `2023-12-31T23:59:59Z`, but received `2024-01-01T00:00:00Z`',
    },
  ],
  // DATE
  ['date', input('d', 'DATE'), '2019-10-06', { value: '2019-10-06' }],
  [
    'date invalid day',
    input('d', 'DATE'),
    '2019-02-30',
    {
      error:
        "Invalid input for `d`, Expected `DATE` but received `2019-02-30` with errors: Text '2019-02-30' could not be parsed, but received `2019-02-30`",
    },
  ],
  [
    'date after',
    input('validatedDate', 'DATE', { after: '2023-01-01', before: '2023-12-31' }),
    '2022-12-31',
    { error: 'Invalid input for `validatedDate`, it must be after `2023-01-01`, but received `2022-12-31`' },
  ],
  [
    'date before',
    input('validatedDate', 'DATE', { after: '2023-01-01', before: '2023-12-31' }),
    '2024-01-01',
    { error: 'Invalid input for `validatedDate`, it must be before `2023-12-31`, but received `2024-01-01`' },
  ],
  // TIME
  ['time', input('t', 'TIME'), '18:27:49', { value: '18:27:49' }],
  ['time prints like LocalTime', input('t', 'TIME'), '18:27:00', { value: '18:27' }],
  [
    'time after',
    input('validatedTime', 'TIME', { after: '01:00:00', before: '11:59:59' }),
    '00:59:59',
    { error: 'Invalid input for `validatedTime`, it must be after `01:00`, but received `00:59:59`' },
  ],
  [
    'time before',
    input('validatedTime', 'TIME', { after: '01:00:00', before: '11:59:59' }),
    '12:00:00',
    { error: 'Invalid input for `validatedTime`, it must be before `11:59:59`, but received `12:00:00`' },
  ],
  // DURATION
  ['duration', input('d', 'DURATION'), 'PT5M6S', { value: 'PT5M6S' }],
  ['duration days print as hours', input('d', 'DURATION'), 'P1D', { value: 'PT24H' }],
  [
    'duration bad',
    input('d', 'DURATION'),
    '5 minutes',
    {
      error:
        'Invalid input for `d`, Expected `DURATION` but received `5 minutes` with errors: Text cannot be parsed to a Duration, but received `5 minutes`',
    },
  ],
  [
    'duration min',
    input('validatedDuration', 'DURATION', { min: 'PT10S', max: 'PT20S' }),
    'PT5S',
    { error: 'Invalid input for `validatedDuration`, it must be more than `PT10S`, but received `PT5S`' },
  ],
  [
    'duration max',
    input('validatedDuration', 'DURATION', { min: 'PT10S', max: 'PT20S' }),
    'PT1M',
    { error: 'Invalid input for `validatedDuration`, it must be less than `PT20S`, but received `PT1M`' },
  ],
  // JSON / YAML
  ['json', input('j', 'JSON'), '{"a": [1, {"b": null}]}', { value: { a: [1, { b: null }] } }],
  ['json typed', input('j', 'JSON'), { foo: '' }, { value: { foo: '' } }],
  [
    'json bad',
    input('j', 'JSON'),
    '{bad',
    { error: 'Invalid input for `j`, Expected `JSON` but received `{bad`, but received `{bad`' },
  ],
  ['yaml', input('y', 'YAML'), 'a: 1\nlist:\n  - x', { value: { a: 1, list: ['x'] } }],
  [
    'yaml bad',
    input('y', 'YAML'),
    'a: [1',
    { error: 'Invalid input for `y`, Expected `YAML` but received `a: [1`, but received `a: [1`' },
  ],
  // URI / EMAIL
  ['uri', input('u', 'URI'), 'https://www.google.com', { value: 'https://www.google.com' }],
  [
    'uri bad',
    input('u', 'URI'),
    'not a uri',
    { error: 'Invalid input for `u`, Expected `URI` but received `not a uri`, but received `not a uri`' },
  ],
  ['email', input('e', 'EMAIL'), 'ada@example.com', { value: 'ada@example.com' }],
  [
    'email bad',
    input('e', 'EMAIL'),
    'ada',
    { error: 'Invalid input for `e`, it must be a valid email address, but received `ada`' },
  ],
  // ENUM / SELECT / MULTISELECT
  [
    'enum',
    input('enum', 'ENUM', { values: ['ENUM_VALUE', 'OTHER_ONE'] }),
    'OTHER_ONE',
    { value: 'OTHER_ONE' },
  ],
  [
    'enum bad',
    input('enum', 'ENUM', { values: ['ENUM_VALUE', 'OTHER_ONE'] }),
    'NOPE',
    {
      error:
        'Invalid input for `enum`, it must match the values `[ENUM_VALUE, OTHER_ONE]`, but received `NOPE`',
    },
  ],
  ['select', input('s', 'SELECT', { values: ['a', 'b'] }), 'b', { value: 'b' }],
  [
    'select custom value allowed',
    input('s', 'SELECT', { values: ['a'], props: { allowCustomValue: true } }),
    'z',
    { value: 'z' },
  ],
  ['multiselect', input('m', 'MULTISELECT', { values: ['a', 'b', 'c'] }), '["a","c"]', { value: ['a', 'c'] }],
  ['multiselect typed', input('m', 'MULTISELECT', { values: ['a', 'b', 'c'] }), ['b'], { value: ['b'] }],
  [
    'multiselect bad',
    input('m', 'MULTISELECT', { values: ['a', 'b'] }),
    ['a', 'x'],
    { error: "Invalid input for `m`, value `x` doesn't match the values `[a, b]`, but received `[a, x]`" },
  ],
  // ARRAY
  ['array of int', input('array', 'ARRAY', { itemType: 'INT' }), '[1, 2, 3]', { value: [1, 2, 3] }],
  ['array typed', input('array', 'ARRAY', { itemType: 'STRING' }), ['x', 'y'], { value: ['x', 'y'] }],
  [
    'array of int from strings',
    input('array', 'ARRAY', { itemType: 'INT' }),
    '["1", "2"]',
    { value: [1, 2] },
  ],
  [
    'array bad item',
    input('array', 'ARRAY', { itemType: 'INT' }),
    '[1, "x"]',
    {
      error:
        'Invalid input for `array`, Unable to parse array element as `INT` on `x`, but received `[1, "x"]`',
    },
  ],
  [
    'array not a list',
    input('array', 'ARRAY', { itemType: 'INT' }),
    'oops',
    { error: 'Invalid input for `array`, Expected `ARRAY` but received `oops`, but received `oops`' },
  ],
  [
    'array of datetime',
    input('a', 'ARRAY', { itemType: 'DATETIME' }),
    '["2020-01-01T00:00:00Z"]',
    { value: ['2020-01-01T00:00:00Z'] },
  ],
  // FILE / SECRET
  [
    'file uri',
    input('f', 'FILE'),
    'kestra:///ns/flow/executions/e/inputs/f/a.txt',
    { value: 'kestra:///ns/flow/executions/e/inputs/f/a.txt' },
  ],
  [
    'file local path refused',
    input('f', 'FILE'),
    '/etc/passwd',
    {
      error:
        'Invalid input for `f`, Expected `FILE` as an upload or a kestra:/// URI but received `/etc/passwd`, but received `/etc/passwd`',
    },
  ],
  [
    'file upload without storage',
    input('f', 'FILE'),
    { name: 'a.txt', data: new Uint8Array([1]) },
    {
      error:
        'Invalid input for `f`, Unable to store the file: no storage configured, but received `{name=a.txt, data=[1 bytes]}`',
    },
  ],
  ['secret', input('secret', 'SECRET'), 'secret', { value: 'secret' }],
  [
    'secret missing',
    input('secret', 'SECRET'),
    undefined,
    { error: 'Invalid input for `secret`, missing required input, but received `null`' },
  ],
  // nesting
  ['dotted id', input('nested.more.int', 'INT'), '123', { value: 123 }],
];

describe('resolveInputs, one input at a time', () => {
  it.each(rows)('%s', (_name, def, raw, expected) => {
    const r = resolveInputs([def], raw === undefined ? {} : { [def.id]: raw });
    if ('value' in expected) {
      expect(r.ok ? undefined : r.issues).toBeUndefined();
      if (!r.ok) return;
      const value = def.id.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], r.values);
      expect(value).toEqual(expected.value);
    } else {
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.issues).toEqual([{ input: def.id, message: expected.error }]);
    }
  });

  it('has at least 40 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it('renders template defaults with the inputs resolved so far', () => {
    const r = resolveInputs(
      [input('a', 'STRING'), input('b', 'STRING', { defaults: '{{ inputs.a }}-b', required: false })],
      { a: 'x' },
      {
        now: new Date('2025-01-01T00:00:00Z'),
        renderDefault: (t, so, now) => t.replace('{{ inputs.a }}', String(so.a)) + now.getUTCFullYear(),
      },
    );
    expect(r).toEqual({ ok: true, values: { a: 'x', b: 'x-b2025' } });
  });

  it('drops undeclared raw keys and never writes through __proto__', () => {
    const r = resolveInputs([input('__proto__.polluted', 'STRING')], {
      '__proto__.polluted': 'yes',
      other: 1,
    });
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (r.ok) expect(Object.keys(r.values)).toEqual(['__proto__']);
  });
});
