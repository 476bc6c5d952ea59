import { describe, expect, it } from 'vitest';
import type { FlowIssue } from './flow-model.js';
import { formatIssue } from './issue-collector.js';
import { parseFlow } from './parse-flow.js';

/**
 * Invalid flows and the exact issues the parser reports for each: path, line,
 * column and message. Every problem of a flow is reported, in source order.
 */
const CASES: Array<{ name: string; yaml: string; issues: FlowIssue[] }> = [
  {
    name: 'YAML syntax error',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: [unclosed\n',
    issues: [
      {
        path: '',
        line: 6,
        column: 1,
        message:
          'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ],
  },
  {
    name: 'duplicate YAML key',
    yaml: 'id: f\nnamespace: company.team\nid: g\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [{ path: '', line: 3, column: 1, message: 'invalid YAML: Map keys must be unique' }],
  },
  {
    name: 'empty document',
    yaml: '# nothing\n',
    issues: [{ path: '', line: 1, column: 1, message: 'the flow is empty' }],
  },
  {
    name: 'not a map',
    yaml: '- id: f\n',
    issues: [{ path: '', line: 1, column: 1, message: 'expected a map with id, namespace and tasks' }],
  },
  {
    name: 'id missing',
    yaml: 'namespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [{ path: 'id', line: 1, column: 1, message: 'is required' }],
  },
  {
    name: 'namespace missing',
    yaml: 'id: f\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [{ path: 'namespace', line: 1, column: 1, message: 'is required' }],
  },
  {
    name: 'id with a space',
    yaml: 'id: my flow\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [
      {
        path: 'id',
        line: 1,
        column: 1,
        message:
          'invalid id "my flow": it must start with a letter or a digit and contain only letters, digits, ., _ and -',
      },
    ],
  },
  {
    name: 'namespace with capitals',
    yaml: 'id: f\nnamespace: Company.Team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [
      {
        path: 'namespace',
        line: 2,
        column: 1,
        message:
          'invalid namespace "Company.Team": it must start with a lowercase letter or a digit and contain only lowercase letters, digits, ., _ and -',
      },
    ],
  },
  {
    name: 'namespace starting with a dot',
    yaml: 'id: f\nnamespace: .team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [
      {
        path: 'namespace',
        line: 2,
        column: 1,
        message:
          'invalid namespace ".team": it must start with a lowercase letter or a digit and contain only lowercase letters, digits, ., _ and -',
      },
    ],
  },
  {
    name: 'id not a string',
    yaml: 'id: [a]\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [{ path: 'id', line: 1, column: 1, message: 'expected a string' }],
  },
  {
    name: 'tasks missing',
    yaml: 'id: f\nnamespace: company.team\n',
    issues: [{ path: 'tasks', line: 1, column: 1, message: 'is required: a flow needs at least one task' }],
  },
  {
    name: 'tasks empty',
    yaml: 'id: f\nnamespace: company.team\ntasks: []\n',
    issues: [
      { path: 'tasks', line: 3, column: 1, message: 'must not be empty: a flow needs at least one task' },
    ],
  },
  {
    name: 'tasks not a list',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  id: a\n',
    issues: [{ path: 'tasks', line: 3, column: 1, message: 'expected a list of tasks' }],
  },
  {
    name: 'unknown top-level property',
    yaml: 'id: f\nnamespace: company.team\ntask:\n  - id: a\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [{ path: 'task', line: 3, column: 1, message: 'unknown property "task"' }],
  },
  {
    name: 'task not a map',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - just text\n',
    issues: [
      { path: 'tasks[0]', line: 4, column: 5, message: 'expected a task: a map with at least id and type' },
    ],
  },
  {
    name: 'task id missing',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [{ path: 'tasks[0].id', line: 4, column: 5, message: 'is required' }],
  },
  {
    name: 'task type missing',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    message: hi\n',
    issues: [{ path: 'tasks[0].type', line: 4, column: 5, message: 'is required' }],
  },
  {
    name: 'unknown task type, suggestion',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Logg\n    message: hi\n',
    issues: [
      {
        path: 'tasks[0].type',
        line: 5,
        column: 5,
        message:
          'unknown task type "io.kestra.plugin.core.log.Logg"; did you mean "io.kestra.plugin.core.log.Log"?',
      },
    ],
  },
  {
    name: 'unknown task type, no suggestion',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: com.example.Nothing\n',
    issues: [
      { path: 'tasks[0].type', line: 5, column: 5, message: 'unknown task type "com.example.Nothing"' },
    ],
  },
  {
    name: 'trigger type used as a task',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "* * * * *"\n',
    issues: [
      {
        path: 'tasks[0].type',
        line: 5,
        column: 5,
        message: '"io.kestra.plugin.core.trigger.Schedule" is a trigger type, not a task type',
      },
    ],
  },
  {
    name: 'task id with a dot',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a.b\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [
      {
        path: 'tasks[0].id',
        line: 4,
        column: 5,
        message:
          'invalid task id "a.b": it must start with a letter or a digit and contain only letters, digits, _ and - (at most 256)',
      },
    ],
  },
  {
    name: 'duplicate task ids, nested',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n  - id: seq\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n      - id: a\n        type: io.kestra.plugin.core.log.Log\n        message: hi\n',
    issues: [
      {
        path: 'tasks[1].tasks[0].id',
        line: 10,
        column: 9,
        message: 'duplicate task id "a", already used by tasks[0]',
      },
    ],
  },
  {
    name: 'duplicate task id in errors',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\nerrors:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [
      {
        path: 'errors[0].id',
        line: 8,
        column: 5,
        message: 'duplicate task id "a", already used by tasks[0]',
      },
    ],
  },
  {
    name: 'unknown task property',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    mesage: typo\n',
    issues: [{ path: 'tasks[0].mesage', line: 7, column: 5, message: 'unknown property "mesage"' }],
  },
  {
    name: 'Log without message',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n',
    issues: [{ path: 'tasks[0].message', line: 4, column: 5, message: 'is required' }],
  },
  {
    name: 'Log level unknown',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    level: LOUD\n',
    issues: [
      {
        path: 'tasks[0].level',
        line: 7,
        column: 5,
        message: 'expected one of TRACE, DEBUG, INFO, WARN, ERROR',
      },
    ],
  },
  {
    name: 'Sequential without tasks',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: seq\n    type: io.kestra.plugin.core.flow.Sequential\n',
    issues: [
      {
        path: 'tasks[0].tasks',
        line: 4,
        column: 5,
        message: 'a Sequential task needs at least one child task in "tasks"',
      },
    ],
  },
  {
    name: 'Parallel with empty tasks',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: par\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks: []\n',
    issues: [
      {
        path: 'tasks[0].tasks',
        line: 6,
        column: 5,
        message: 'a Parallel task needs at least one child task in "tasks"',
      },
    ],
  },
  {
    name: 'If without then',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: if\n    type: io.kestra.plugin.core.flow.If\n    condition: "{{ true }}"\n',
    issues: [
      {
        path: 'tasks[0].then',
        line: 4,
        column: 5,
        message: 'an If task needs at least one child task in "then" or "else"',
      },
    ],
  },
  {
    name: 'Switch without cases or defaults',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: sw\n    type: io.kestra.plugin.core.flow.Switch\n    value: x\n',
    issues: [
      {
        path: 'tasks[0].cases',
        line: 4,
        column: 5,
        message: 'a Switch task needs at least one child task in "cases" or "defaults"',
      },
    ],
  },
  {
    name: 'ForEach without values',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    tasks:\n      - id: a\n        type: io.kestra.plugin.core.log.Log\n        message: hi\n',
    issues: [{ path: 'tasks[0].values', line: 4, column: 5, message: 'is required' }],
  },
  {
    name: 'errors on a runnable task',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    errors:\n      - id: b\n        type: io.kestra.plugin.core.log.Log\n        message: hi\n',
    issues: [{ path: 'tasks[0].errors', line: 7, column: 5, message: 'only flowable tasks have "errors"' }],
  },
  {
    name: 'Dag dependsOn an unknown task',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: dag\n    type: io.kestra.plugin.core.flow.Dag\n    tasks:\n      - task:\n          id: a\n          type: io.kestra.plugin.core.log.Log\n          message: hi\n        dependsOn:\n          - b\n',
    issues: [
      {
        path: 'tasks[0].tasks[0].dependsOn[0]',
        line: 12,
        column: 13,
        message: 'unknown task "b": dependsOn must name a task of this Dag',
      },
    ],
  },
  {
    name: 'retry maxAttempts 0',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    retry:\n      type: constant\n      interval: PT1S\n      maxAttempts: 0\n',
    issues: [{ path: 'tasks[0].retry.maxAttempts', line: 10, column: 7, message: 'expected an integer ≥ 1' }],
  },
  {
    name: 'retry maxAttempt not an integer',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    retry:\n      type: constant\n      interval: PT1S\n      maxAttempt: 1.5\n',
    issues: [{ path: 'tasks[0].retry.maxAttempt', line: 10, column: 7, message: 'expected an integer ≥ 1' }],
  },
  {
    name: 'retry type unknown',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    retry:\n      type: linear\n      maxAttempt: 2\n',
    issues: [
      {
        path: 'tasks[0].retry.type',
        line: 8,
        column: 7,
        message: 'expected one of constant, exponential, random',
      },
    ],
  },
  {
    name: 'constant retry without interval',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    retry:\n      type: constant\n      maxAttempt: 2\n',
    issues: [
      { path: 'tasks[0].retry.interval', line: 7, column: 5, message: 'is required for a constant retry' },
    ],
  },
  {
    name: 'retry interval not a duration',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    retry:\n      type: constant\n      interval: 5 seconds\n',
    issues: [
      {
        path: 'tasks[0].retry.interval',
        line: 9,
        column: 7,
        message: 'invalid duration "5 seconds": expected an ISO-8601 duration such as PT30S',
      },
    ],
  },
  {
    name: 'timeout not a duration',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    timeout: 1h\n',
    issues: [
      {
        path: 'tasks[0].timeout',
        line: 7,
        column: 5,
        message: 'invalid duration "1h": expected an ISO-8601 duration such as PT30S',
      },
    ],
  },
  {
    name: 'Sleep duration invalid',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: P1Y\n',
    issues: [
      {
        path: 'tasks[0].duration',
        line: 6,
        column: 5,
        message: 'invalid duration "P1Y": expected an ISO-8601 duration such as PT30S',
      },
    ],
  },
  {
    name: 'Pause delay invalid',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.flow.Pause\n    delay: 10\n',
    issues: [
      { path: 'tasks[0].delay', line: 6, column: 5, message: 'expected an ISO-8601 duration such as PT30S' },
    ],
  },
  {
    name: 'disabled not a boolean',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    disabled: maybe\n',
    issues: [{ path: 'tasks[0].disabled', line: 7, column: 5, message: 'expected true or false' }],
  },
  {
    name: 'invalid cron',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\ntriggers:\n  - id: cron\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "61 * * * *"\n',
    issues: [
      {
        path: 'triggers[0].cron',
        line: 10,
        column: 5,
        message: 'invalid cron expression "61 * * * *": Invalid value for minute: 61',
      },
    ],
  },
  {
    name: 'cron missing',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\ntriggers:\n  - id: cron\n    type: io.kestra.plugin.core.trigger.Schedule\n',
    issues: [{ path: 'triggers[0].cron', line: 8, column: 5, message: 'is required' }],
  },
  {
    name: 'unknown trigger type, short spelling',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\ntriggers:\n  - id: cron\n    type: schedule\n    cron: "0 * * * *"\n',
    issues: [
      {
        path: 'triggers[0].type',
        line: 9,
        column: 5,
        message: 'unknown trigger type "schedule"; did you mean "io.kestra.plugin.core.trigger.Schedule"?',
      },
    ],
  },
  {
    name: 'duplicate trigger ids',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\ntriggers:\n  - id: t\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k1\n  - id: t\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k2\n',
    issues: [
      {
        path: 'triggers[1].id',
        line: 11,
        column: 5,
        message: 'duplicate trigger id "t", already used by triggers[0]',
      },
    ],
  },
  {
    name: 'unknown condition type',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\ntriggers:\n  - id: w\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k\n    conditions:\n      - type: io.kestra.plugin.core.condition.ExecutionStatu\n        in: [SUCCESS]\n',
    issues: [
      {
        path: 'triggers[0].conditions[0].type',
        line: 12,
        column: 9,
        message:
          'unknown condition type "io.kestra.plugin.core.condition.ExecutionStatu"; did you mean "io.kestra.plugin.core.condition.ExecutionStatus"?',
      },
    ],
  },
  {
    name: 'input type unknown',
    yaml: 'id: f\nnamespace: company.team\ninputs:\n  - id: x\n    type: BOOLEN\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [
      {
        path: 'inputs[0].type',
        line: 5,
        column: 5,
        message: 'unknown input type "BOOLEN"; did you mean "BOOLEAN"?',
      },
    ],
  },
  {
    name: 'input default of the wrong type (INT)',
    yaml: 'id: f\nnamespace: company.team\ninputs:\n  - id: n\n    type: INT\n    defaults: many\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [
      {
        path: 'inputs[0].defaults',
        line: 6,
        column: 5,
        message: 'default does not fit type INT: expected an integer',
      },
    ],
  },
  {
    name: 'input default of the wrong type (BOOLEAN)',
    yaml: 'id: f\nnamespace: company.team\ninputs:\n  - id: b\n    type: BOOLEAN\n    defaults: 1\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [
      {
        path: 'inputs[0].defaults',
        line: 6,
        column: 5,
        message: 'default does not fit type BOOLEAN: expected true or false',
      },
    ],
  },
  {
    name: 'input default not among ENUM values',
    yaml: 'id: f\nnamespace: company.team\ninputs:\n  - id: e\n    type: ENUM\n    values: [A, B]\n    defaults: C\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [
      {
        path: 'inputs[0].defaults',
        line: 7,
        column: 5,
        message: 'default does not fit type ENUM: expected one of A, B',
      },
    ],
  },
  {
    name: 'input id missing',
    yaml: 'id: f\nnamespace: company.team\ninputs:\n  - type: STRING\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [{ path: 'inputs[0].id', line: 4, column: 5, message: 'is required' }],
  },
  {
    name: 'duplicate input ids',
    yaml: 'id: f\nnamespace: company.team\ninputs:\n  - id: x\n    type: STRING\n  - id: x\n    type: INT\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [{ path: 'inputs[1].id', line: 6, column: 5, message: 'duplicate input id "x"' }],
  },
  {
    name: 'label key invalid',
    yaml: 'id: f\nnamespace: company.team\nlabels:\n  Team: data\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [
      {
        path: 'labels.Team',
        line: 4,
        column: 3,
        message:
          'invalid label key "Team": it must start with a lowercase letter and contain only letters, digits, ., _ and -',
      },
    ],
  },
  {
    name: 'concurrency limit 0',
    yaml: 'id: f\nnamespace: company.team\nconcurrency:\n  limit: 0\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [{ path: 'concurrency.limit', line: 4, column: 3, message: 'expected an integer ≥ 1' }],
  },
  {
    name: 'concurrency behavior unknown',
    yaml: 'id: f\nnamespace: company.team\nconcurrency:\n  limit: 1\n  behavior: WAIT\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
    issues: [
      { path: 'concurrency.behavior', line: 5, column: 3, message: 'expected one of QUEUE, CANCEL, FAIL' },
    ],
  },
  {
    name: 'output without value',
    yaml: 'id: f\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\noutputs:\n  - id: o\n    type: STRING\n',
    issues: [{ path: 'outputs[0].value', line: 8, column: 5, message: 'is required' }],
  },
  {
    name: 'several issues together',
    yaml: 'id: f\nnamespace: Bad\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n  - id: a\n    type: io.kestra.plugin.core.flow.Sequential\n',
    issues: [
      {
        path: 'namespace',
        line: 2,
        column: 1,
        message:
          'invalid namespace "Bad": it must start with a lowercase letter or a digit and contain only lowercase letters, digits, ., _ and -',
      },
      { path: 'tasks[0].message', line: 4, column: 5, message: 'is required' },
      { path: 'tasks[1].id', line: 6, column: 5, message: 'duplicate task id "a", already used by tasks[0]' },
      {
        path: 'tasks[1].tasks',
        line: 6,
        column: 5,
        message: 'a Sequential task needs at least one child task in "tasks"',
      },
    ],
  },
];

describe('invalid flows', () => {
  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('$name', ({ yaml, issues }) => {
    const r = parseFlow(yaml);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual(issues);
  });

  it('renders an issue on one line with its place', () => {
    const r = parseFlow(CASES.find((c) => c.name === 'retry maxAttempts 0')!.yaml);
    if (r.ok) throw new Error('expected issues');
    expect(r.issues.map(formatIssue)).toEqual([
      'tasks[0].retry.maxAttempts: expected an integer ≥ 1 (line 10, column 7)',
    ]);
  });
});
