import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseFlow } from '../flow/parse-flow.js';
import { migrateFlowTo20 } from './migrate-flow.js';

const flow = (body: string) => `id: f\nnamespace: acme\n${body}`;

describe('migrateFlowTo20', () => {
  it('reports a flow valid on 2.0 as clean, with nothing proposed', () => {
    const r = migrateFlowTo20(
      flow(`tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "{{ fromJson('{}') | toJson }} {{ inputs.x is json }}"
`),
    );
    expect(r).toEqual({ status: 'clean', reasons: [] });
  });

  it('rewrites BOOLEAN, ENUM and required:false beside defaults, keeping comments and layout', () => {
    const source = flow(`# the inputs
inputs:
  - id: dry_run
    type: BOOLEAN # keep me
    required: false
    defaults: true
  - id: env
    type: ENUM
    values: [dev, prod]
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hi
`);
    const r = migrateFlowTo20(source);
    expect(r.status).toBe('automatic');
    expect(r.reasons.map((x) => [x.path, x.line, x.kind])).toEqual([
      ['inputs[0].type', 6, 'automatic'],
      ['inputs[0].required', 7, 'automatic'],
      ['inputs[1].type', 10, 'automatic'],
    ]);
    expect(r.proposedYaml).toBe(
      flow(`# the inputs
inputs:
  - id: dry_run
    type: BOOL # keep me
    defaults: true
  - id: env
    type: SELECT
    values: [dev, prod]
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hi
`),
    );
  });

  it('renames checks condition to when', () => {
    const r = migrateFlowTo20(
      flow(`checks:
  - condition: "{{ inputs.region == 'eu' }}"
    message: EU only
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: hi
`),
    );
    expect(r.status).toBe('automatic');
    expect(parse(r.proposedYaml as string).checks).toEqual([
      { when: "{{ inputs.region == 'eu' }}", message: 'EU only' },
    ]);
  });

  it('turns simple Schedule and Webhook conditions into when, joined with and', () => {
    const r = migrateFlowTo20(
      flow(`tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: weekdays
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 9 * * *"
    conditions:
      - type: io.kestra.plugin.core.condition.Not
        conditions:
          - type: io.kestra.plugin.core.condition.Weekend
      - type: io.kestra.plugin.core.condition.TimeBetween
        after: "08:00:00"
        before: "17:00"
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: s3cr3tKey
    conditions:
      - type: io.kestra.core.models.conditions.types.ExpressionCondition
        expression: "{{ trigger.body.kind == 'push' }}"
`),
    );
    expect(r.status).toBe('automatic');
    const triggers = parse(r.proposedYaml as string).triggers;
    expect(triggers[0]).toEqual({
      id: 'weekdays',
      type: 'io.kestra.plugin.core.trigger.Schedule',
      cron: '0 9 * * *',
      when: '{{ not (isWeekend(trigger.date)) and hourOfDay(trigger.date) >= 8 and hourOfDay(trigger.date) < 17 }}',
    });
    expect(triggers[1].when).toBe("{{ (trigger.body.kind == 'push') }}");
    expect(triggers[1].conditions).toBeUndefined();
  });

  it('leaves conditions with no mechanical when, and Flow trigger conditions, to a person', () => {
    const r = migrateFlowTo20(
      flow(`tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: window
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
    conditions:
      - type: io.kestra.plugin.core.condition.DateTimeBetween
        after: "2026-01-01T00:00:00Z"
  - id: upstream
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: acme
        flowId: load
`),
    );
    expect(r.status).toBe('manual');
    expect(r.reasons.map((x) => [x.path, x.line, x.kind])).toEqual([
      ['triggers[0].conditions', 11, 'manual'],
      ['triggers[1].conditions', 16, 'manual'],
    ]);
    expect(r.reasons[0]?.message).toContain('DateTimeBetween');
    expect(r.reasons[1]?.message).toContain('dependsOn');
    expect(r.proposedYaml).toBeUndefined();
  });

  it('inlines pluginDefaults into the matching tasks without overriding what a task sets', () => {
    const r = migrateFlowTo20(
      flow(`# defaults for every request
pluginDefaults:
  - type: io.kestra.plugin.core.http.Request
    forced: true
    values:
      method: GET
      headers:
        Accept: application/json
        X-Team: data
tasks:
  - id: get_users
    type: io.kestra.plugin.core.http.Request
    uri: https://api.example.org/users
    headers:
      X-Team: ops
  - id: post
    type: io.kestra.plugin.core.http.Request
    uri: https://api.example.org/p
    method: POST
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: done
`),
    );
    expect(r.status).toBe('automatic');
    const doc = parse(r.proposedYaml as string);
    expect(doc.pluginDefaults).toBeUndefined();
    expect(r.proposedYaml).toMatch(/^id: f\nnamespace: acme\n# defaults for every request\ntasks:\n/);
    expect(doc.tasks[0]).toEqual({
      id: 'get_users',
      type: 'io.kestra.plugin.core.http.Request',
      uri: 'https://api.example.org/users',
      headers: { 'X-Team': 'ops', Accept: 'application/json' },
      method: 'GET',
    });
    expect(doc.tasks[1].method).toBe('POST');
    expect(doc.tasks[2]).toEqual({ id: 'log', type: 'io.kestra.plugin.core.log.Log', message: 'done' });
    expect(r.reasons[0]?.message).toContain('get_users, post');
  });

  it('turns a simple ForEach into a sequential Loop with item.value and item.index', () => {
    const r = migrateFlowTo20(
      flow(`tasks:
  - id: each_env
    type: io.kestra.plugin.core.flow.ForEach
    values: ["dev", "prod"]
    tasks:
      - id: say
        type: io.kestra.plugin.core.log.Log
        message: "deploy {{ taskrun.value }} #{{ taskrun.iteration }} {{ outputs.x[taskrun.value] ?? '' }}"
`),
    );
    expect(r.status).toBe('automatic');
    const doc = parse(r.proposedYaml as string);
    expect(doc.tasks[0]).toMatchObject({
      type: 'io.kestra.plugin.core.flow.Loop',
      concurrencyLimit: 1,
      values: ['dev', 'prod'],
    });
    expect(doc.tasks[0].tasks[0].message).toBe(
      "deploy {{ item.value }} #{{ item.index }} {{ outputs.x ?? '' }}",
    );
  });

  it('leaves a ForEach whose inner outputs are read after it, a nested one and ForEachItem to a person', () => {
    const after = migrateFlowTo20(
      flow(`tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [a, b]
    tasks:
      - id: say
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.say['b'].value }}"
`),
    );
    expect(after.status).toBe('manual');
    expect(after.reasons[0]).toMatchObject({ path: 'tasks[0].type', line: 5, kind: 'manual' });
    expect(after.reasons[0]?.message).toContain('outputs.say is read after the loop');
    const nested = migrateFlowTo20(
      flow(`tasks:
  - id: outer
    type: io.kestra.plugin.core.flow.ForEach
    values: [a]
    tasks:
      - id: inner
        type: io.kestra.plugin.core.flow.ForEach
        values: [b]
        tasks:
          - id: l
            type: io.kestra.plugin.core.log.Log
            message: "{{ parents[0].taskrun.value }} {{ taskrun.value }}"
  - id: batch
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.file }}"
`),
    );
    expect(nested.status).toBe('manual');
    expect(nested.reasons.filter((x) => x.kind === 'manual').map((x) => x.path)).toEqual([
      'tasks[0].type',
      'tasks[0].tasks[0].type',
      'tasks[1].type',
    ]);
  });

  it('rewrites json() and | json, Echo and CANCELED; flags schedule.* and removed types', () => {
    const r = migrateFlowTo20(
      flow(`tasks:
  - id: parse
    type: io.kestra.plugin.core.debug.Echo
    format: "{{ json(inputs.payload).a }} {{ outputs | json }}"
  - id: stop
    type: io.kestra.plugin.core.execution.Exit
    state: CANCELED
  - id: count
    type: io.kestra.plugin.core.execution.Count
    expression: "{{ schedule.date }}"
`),
    );
    expect(r.status).toBe('manual');
    const doc = parse(r.proposedYaml as string);
    expect(doc.tasks[0]).toEqual({
      id: 'parse',
      type: 'io.kestra.plugin.core.log.Log',
      message: '{{ fromJson(inputs.payload).a }} {{ outputs | toJson }}',
    });
    expect(doc.tasks[1].state).toBe('CANCELLED');
    expect(r.reasons.filter((x) => x.kind === 'manual').map((x) => x.path)).toEqual([
      'tasks[2].type',
      'tasks[2].expression',
    ]);
  });

  it('reports YAML that does not parse as manual with its line', () => {
    const r = migrateFlowTo20('id: f\nnamespace: acme\ntasks: [\n');
    expect(r.status).toBe('manual');
    expect(r.reasons[0]?.message).toContain('does not parse');
  });

  it('proposes YAML that parses as a 2.0 flow, and that the 1.3 dialect refuses (it names 2.0 constructs)', () => {
    const r = migrateFlowTo20(
      flow(`inputs:
  - id: b
    type: BOOLEAN
checks:
  - condition: "{{ true }}"
    message: ok
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: "{{ json('{\\"a\\": 1}').a }}"
`),
    );
    expect(r.status).toBe('automatic');
    const parsed = parseFlow(r.proposedYaml as string, '2.0');
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    expect(parseFlow(r.proposedYaml as string, '1.3').ok).toBe(false);
  });
});
