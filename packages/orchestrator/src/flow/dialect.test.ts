import { describe, expect, it } from 'vitest';
import { usesRemovedJson } from './dialect.js';
import { parseFlow } from './parse-flow.js';

const flow = (...lines: string[]) => ['id: f', 'namespace: n', ...lines].join('\n');
const LOG = ['tasks:', '  - id: t', '    type: io.kestra.plugin.core.log.Log', '    message: hi'];
const issues = (source: string, dialect: '1.3' | '2.0') => {
  const r = parseFlow(source, dialect);
  return r.ok ? [] : r.issues.map((i) => [i.path, i.line, i.message]);
};

describe('the 2.0-only constructs on a 1.3 tenant', () => {
  it('refuses Loop, trigger when/dependsOn/window/mode and checks when, each at its path and line', () => {
    const source = flow(
      'checks:',
      '  - when: "{{ true }}"',
      '    message: m',
      'tasks:',
      '  - id: l',
      '    type: io.kestra.plugin.core.flow.Loop',
      '    values: [a]',
      '    tasks:',
      '      - id: t',
      '        type: io.kestra.plugin.core.log.Log',
      '        message: hi',
      'triggers:',
      '  - id: w',
      '    type: io.kestra.plugin.core.trigger.Flow',
      '    when: "{{ true }}"',
      '    dependsOn: [{ flowId: x }]',
      '    mode: ANY',
    );
    expect(issues(source, '1.3')).toEqual([
      ['checks[0].when', 4, expect.stringContaining('Kestra 2.0 syntax')],
      ['tasks[0].type', 8, expect.stringContaining('Loop is Kestra 2.0 syntax')],
      ['triggers[0].when', 17, expect.stringContaining('Kestra 2.0 syntax')],
      ['triggers[0].dependsOn', 18, expect.stringContaining('Kestra 2.0 syntax')],
      ['triggers[0].mode', 19, expect.stringContaining('Kestra 2.0 syntax')],
    ]);
    expect(issues(source, '2.0')).toEqual([]);
  });

  it('refuses a draft key in the YAML on both (a draft is saved with ?draft=true)', () => {
    expect(issues(flow('draft: true', ...LOG), '1.3')).toEqual([
      ['draft', 3, expect.stringContaining('Kestra 2.0 feature')],
    ]);
    expect(issues(flow('draft: true', ...LOG), '2.0')).toEqual([
      ['draft', 3, expect.stringContaining('?draft=true')],
    ]);
  });
});

describe('the 1.3-only constructs on a 2.0 tenant', () => {
  it('refuses EachSequential, scheduleConditions, BOOLEAN and json, and keeps 1.3 accepting them', () => {
    const source = flow(
      'inputs:',
      '  - id: b',
      '    type: BOOLEAN',
      'tasks:',
      '  - id: e',
      '    type: io.kestra.plugin.core.flow.EachSequential',
      '    value: [a]',
      '    tasks:',
      '      - id: t',
      '        type: io.kestra.plugin.core.log.Log',
      '        message: "{{ taskrun.value | json }}"',
    );
    expect(issues(source, '2.0')).toEqual([
      ['inputs[0].type', 5, expect.stringContaining('use BOOL')],
      [
        'tasks[0].type',
        8,
        expect.stringContaining('Invalid type: io.kestra.plugin.core.flow.EachSequential'),
      ],
      ['tasks[0].tasks[0].message', 13, expect.stringContaining('fromJson')],
    ]);
    expect(issues(source, '1.3')).toEqual([]);
  });
});

describe('usesRemovedJson', () => {
  it.each([
    ['{{ json(x) }}', true],
    ['{{ x | json }}', true],
    ['{% set a = json(x) %}', true],
    ['{{ fromJson(x) }}', false],
    ['{{ x | toJson }}', false],
    ['{{ x is json }}', false],
    ['json(x) outside a template', false],
    ['{{ x.json }}', false],
  ])('%s → %s', (text, expected) => {
    expect(usesRemovedJson(text)).toBe(expected);
  });
});
