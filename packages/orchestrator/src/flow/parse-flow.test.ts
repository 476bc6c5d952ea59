import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listYamlFiles, sharedPath } from '../testing/shared-corpus.js';
import { formatIssue } from './issue-collector.js';
import { parseFlow } from './parse-flow.js';
import { childTasks, isFlowable, walkTasks } from './task-registry.js';

const corpus = sharedPath('conformance', 'kestra-flows');
const files = listYamlFiles(corpus);
const read = (f: string) => readFileSync(join(corpus, f), 'utf8');

describe("Kestra's conformance corpus", () => {
  it('has the 60 flows EXPECTED.md describes', () => {
    expect(files).toHaveLength(60);
  });

  it('parses every flow (none is statically invalid in EXPECTED.md)', () => {
    const failures: string[] = [];
    for (const f of files) {
      const r = parseFlow(read(f));
      if (!r.ok) failures.push(`${f}:\n  ${r.issues.map(formatIssue).join('\n  ')}`);
    }
    console.log(`parsed ${files.length - failures.length}/${files.length}`);
    expect(failures).toEqual([]);
  });

  it('normalises aliases, labels, durations, retry and plugin defaults', () => {
    const full = parseFlow(read('full.yaml'));
    if (!full.ok) throw new Error('full.yaml');
    expect(full.flow.labels).toEqual([
      { key: 'key1', value: 'value1' },
      { key: 'key2', value: 'value2' },
    ]);
    const t3 = full.flow.tasks[2]!;
    expect(t3.timeoutMs).toBe(3_600_000);
    expect(t3.retry).toEqual({
      type: 'constant',
      maxAttempts: 5,
      intervalMs: 900_000,
      warningOnRetry: false,
      behavior: 'RETRY_FAILED_TASK',
    });
    expect([...walkTasks(full.flow.tasks)]).toHaveLength(13);

    const logs = parseFlow(read('logs.yaml'));
    if (!logs.ok) throw new Error('logs.yaml');
    expect(logs.flow.tasks.map((t) => t.props.message)).toEqual([
      'first {{task.id}}',
      'second {{task.type}}',
      'third {{flow.id}}',
      'fourth {{task.id}}',
      ['five first', 'five second'],
    ]);
    expect(logs.flow.tasks[3]!.logLevel).toBe('INFO');
  });

  it('gives flowable tasks parsed children', () => {
    const sw = parseFlow(read('switch.yaml'));
    if (!sw.ok) throw new Error('switch.yaml');
    const task = sw.flow.tasks[0]!;
    expect(isFlowable(task.type)).toBe(true);
    expect(childTasks(task).map((t) => t.id)).toEqual(['t1', 't2', 't2_sub', 't3', 'default']);
    const dag = parseFlow(read('dag.yaml'));
    if (!dag.ok) throw new Error('dag.yaml');
    expect(dag.flow.tasks[0]!.props.tasks).toHaveLength(6);
    expect(childTasks(dag.flow.tasks[0]!)[4]!.id).toBe('task5');
  });

  it('maps BOOL to BOOLEAN and name to id in inputs; keeps variables', () => {
    const fin = parseFlow(read('newer/finally-sequential.yaml'));
    if (!fin.ok) throw new Error('finally-sequential.yaml');
    expect(fin.flow.inputs[0]!.type).toBe('BOOLEAN');
    const kv = parseFlow(read('kv.yaml'));
    if (!kv.ok) throw new Error('kv.yaml');
    expect(kv.flow.inputs.map((i) => i.id)).toEqual(['namespace', 'errorOnMissing']);
  });

  it('maps legacy type names to the canonical ones and adds durations in ms', () => {
    const r = parseFlow(
      [
        'id: legacy',
        'namespace: company.team',
        'tasks:',
        '  - id: each',
        '    type: io.kestra.core.tasks.flows.EachSequential',
        '    value: [1, 2]',
        '    tasks:',
        '      - id: hello',
        '        type: io.kestra.core.tasks.debugs.Return',
        '        format: x',
        '  - id: wait',
        '    type: io.kestra.plugin.core.flow.Pause',
        '    delay: PT2S',
        'triggers:',
        '  - id: cron',
        '    type: io.kestra.core.models.triggers.types.Schedule',
        '    cron: "*/5 * * * *"',
        '    conditions:',
        '      - type: io.kestra.core.models.conditions.types.VariableCondition',
        '        expression: "{{ true }}"',
        '',
      ].join('\n'),
    );
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    expect(r.flow.tasks[0]!.type).toBe('io.kestra.plugin.core.flow.EachSequential');
    expect(childTasks(r.flow.tasks[0]!)[0]!.type).toBe('io.kestra.plugin.core.debug.Return');
    expect(r.flow.tasks[1]!.props.delayMs).toBe(2000);
    expect(r.flow.triggers[0]!.type).toBe('io.kestra.plugin.core.trigger.Schedule');
    expect(r.flow.triggers[0]!.conditions[0]!.type).toBe('io.kestra.plugin.core.condition.Expression');
    expect(r.flow.tasks[0]!.position).toEqual({ line: 4, column: 5 });
  });
});
