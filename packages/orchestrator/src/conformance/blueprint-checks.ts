import { expect } from 'vitest';
import {
  type BpCheck,
  expectState,
  hits,
  messagesOf,
  outputOf,
  runOk,
  runsOf,
  stateOf,
  timeOf,
} from './blueprint-harness.js';
import { EMPTY_ZIP, NAMESPACES, ORDERS_CSV, parseMultipart } from './blueprint-stub.js';

const T = 'company.team';

/**
 * What each run-by-hand blueprint promises, beyond its final state (the
 * blueprint's description, Kestra's documentation of the task). Keyed by
 * file name. Trigger-driven checks are in blueprint-trigger-checks.ts.
 */
export const RUN_CHECKS: Record<string, BpCheck> = {
  'bp--copy-flows-to-new-tenant.yml': async (c) => {
    const e = await runOk(c, 'system', 'copy-flows-to-new-tenant');
    const [exp] = hits(c, '/api/v1/blueprints/flows/export/by-query');
    expect(exp?.headers.authorization, 'export called with the API_TOKEN secret').toBe(
      `Bearer ${c.secrets.API_TOKEN}`,
    );
    const uri = String(outputOf(e, 'dev_flows', 'uri'));
    expect(c.readStorage(uri).equals(EMPTY_ZIP), 'downloaded export kept in storage').toBe(true);
    const [imp] = hits(c, '/api/v1/staging/flows/import');
    expect(imp, 'import called').toBeDefined();
    const part = parseMultipart(imp!).find((p) => p.name === 'fileUpload');
    expect(part?.filename).toBe('flows.zip');
    expect(part?.data.equals(EMPTY_ZIP), 'the export is sent as the file part').toBe(true);
  },
  'bp--get-all-namespaces.yml': async (c) => {
    const e = await runOk(c, T, 'get-all-namespaces');
    expect(e.outputs).toEqual({ namespaces: NAMESPACES, total: NAMESPACES.length });
    const calls = hits(c, '/kestra/api/v1/namespaces/search');
    expect(calls.map((r) => r.headers.authorization)).toEqual([
      c.secrets.KESTRA_API_TOKEN,
      c.secrets.KESTRA_API_TOKEN,
    ]);
  },
  'bp--hello-world.yml': async (c) => {
    const e = await runOk(c, 'tutorial', 'hello-world');
    expect(outputOf(e, 'second_task', 'vars')).toEqual({ returned_data: 'mydata' });
    const [msg] = await messagesOf(c, e, 'hello_world');
    expect(msg).toContain('Welcome to Kestra, Rick Astley!');
    expect(msg).toContain('We are thrilled to have you.');
    expect(msg).toContain('returned_data');
  },
  'bp--parallel-files.yml': async (c) => {
    const e = await runOk(c, T, 'parallel-files');
    const paths = runsOf(e, 'path').map((t) => String(t.outputs?.value));
    expect(paths).toHaveLength(4);
    const contents = await messagesOf(c, e, 'contents');
    expect(contents.map((m) => m.trim()).sort()).toEqual([1, 2, 3, 4].map((i) => `Hello from ${i}`));
  },
  'bp--parallel-subflows.yml': async (c) => {
    const e = await runOk(c, T, 'parallel-subflows');
    for (const id of ['flow1', 'flow2', 'flow3']) {
      const child = await c.get(String(outputOf(e, id, 'executionId')));
      expect([child.flowId, child.state.current]).toEqual([id, 'SUCCESS']);
      expect(outputOf(child, 'get', 'value')).toBe(`hi from ${id}`);
    }
  },
  'bp--parametrized-flow-with-multiple-schedules.yml': async (c) => {
    const e = await runOk(c, T, 'parametrized-flow-with-multiple-schedules', { user: 'Ada' });
    expect(await messagesOf(c, e, 'hello')).toEqual(['Hello Ada from Kestra!']);
  },
  'bp--parse-twitter-json-payload.yml': async (c) => {
    const e = await runOk(c, T, 'parse-twitter-json-payload');
    expect((await messagesOf(c, e, 'jq_filter')).map((m) => m.trim())).toEqual(['true']);
    expect(String(outputOf(e, 'contains', 'value')).trim()).toBe('true');
    expect(String(outputOf(e, 'contains_if_else_operator', 'value')).trim()).toBe('true');
    expect(String(outputOf(e, 'is_not_null_operator', 'value')).trim()).toBe('true');
  },
  'bp--pass-data-between-subflows.yml': async (c) => {
    const e = await runOk(c, T, 'pass-data-between-subflows');
    const outs = outputOf(e, 'call_child_flow', 'outputs') as Record<string, unknown> | undefined;
    expect(outs?.my_output).toBe('task_b - subflow - kestra');
    expect(await messagesOf(c, e, 'log')).toEqual(['task_b - subflow - kestra']);
  },
  'bp--process-script-runner.yml': async (c) => {
    const e = await runOk(c, T, 'process-script-runner');
    expect(await messagesOf(c, e, 'shell')).toContain('Hello World!');
  },
  'bp--purge-disk-space-interactively.yml': async (c) => {
    const before = await runOk(c, T, 'log-flow');
    await new Promise((r) => setTimeout(r, 20));
    const start = new Date().toISOString();
    const inside = await runOk(c, T, 'log-flow');
    const end = new Date(Date.now() + 1).toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const form = { start, end, what_to_purge: '["LOGS","EXECUTIONS"]', allow_destructive_action: 'ALLOW' };
    const e = await runOk(c, T, 'purge-disk-space-interactively', form);
    expect(stateOf(e, 'purge_logs')).toBe('SUCCESS');
    expect(stateOf(e, 'purge_executions')).toBe('SUCCESS');
    expect(stateOf(e, 'purge_metrics'), 'METRICS not chosen').toBe('SKIPPED');
    expect((await c.call('GET', `/executions/${inside.id}`)).status, 'execution in the window purged').toBe(
      404,
    );
    expect((await c.call('GET', `/executions/${before.id}`)).status, 'execution before start kept').toBe(200);
    expect(await c.logs(before.id)).not.toHaveLength(0);
    const refused = await c.call('POST', `/executions/${T}/purge-disk-space-interactively`, {
      ...form,
      allow_destructive_action: 'no',
    });
    expect(refused.status, 'validator ^ALLOW$').toBe(422);
  },
  'bp--purge.yml': async (c) => {
    const recent = await runOk(c, T, 'log-flow');
    const e = await runOk(c, 'system', 'purge');
    expect(outputOf(e, 'purge_executions', 'executionsCount')).toBe(0);
    expect(outputOf(e, 'purge_logs', 'count')).toBe(0);
    expect((await c.call('GET', `/executions/${recent.id}`)).status, 'recent execution kept').toBe(200);
  },
  'bp--regex-input.yml': async (c) => {
    const e = await runOk(c, T, 'regex-input', { age: 42, user: 'student7' });
    expect(await messagesOf(c, e, 'validator')).toEqual(['User student7, age 42']);
    const bad = await c.call('POST', `/executions/${T}/regex-input`, { age: 42, user: 'teacher' });
    expect(bad.status, 'validator refuses teacher').toBe(422);
    const old = await c.call('POST', `/executions/${T}/regex-input`, { age: 70, user: 'student' });
    expect(old.status, 'max 64').toBe(422);
  },
  'bp--retries.yml': async (c) => {
    const e = await runOk(c, T, 'retries');
    const [run] = runsOf(e, 'fail_4_times');
    expect(run?.attempts?.map((a) => a.state.current)).toEqual([
      'FAILED',
      'FAILED',
      'FAILED',
      'FAILED',
      'SUCCESS',
    ]);
    expect(runsOf(e, 'will_never_happen')).toHaveLength(0);
  },
  'bp--runif-task-attribute.yml': async (c) => {
    const on = await runOk(c, T, 'runif-task-attribute');
    expect(stateOf(on, 'step2')).toBe('SUCCESS');
    const off = await runOk(c, T, 'runif-task-attribute', { run_everything: false });
    expect(stateOf(off, 'step2')).toBe('SKIPPED');
  },
  'bp--shell-scripts.yml': async (c) => {
    const e = await runOk(c, T, 'shell-scripts');
    const csv = (await messagesOf(c, e, 'inspect_file')).join('\n');
    // `#!/bin/bash` is only a comment: the script runs with /bin/sh, as in Kestra, where `{1..10}` may stay literal.
    expect(csv).toContain('Column1,Column2,Column3');
    expect(csv).toMatch(/^(10|\{1\.\.10\}),\d*,\d*$/m);
    const col = (await messagesOf(c, e, 'filter_file')).join('\n').trim().split('\n');
    expect(col[0], 'the file written by the first task, read by the third').toBe('Column2');
    expect(col.length).toBeLessThanOrEqual(6);
  },
  'bp--switch.yml': async (c) => {
    const e = await runOk(c, T, 'switch');
    expect(outputOf(e, 'b', 'value')).toBe('The input is B');
    expect([runsOf(e, 'a').length, runsOf(e, 'default').length]).toEqual([0, 0]);
    const z = await runOk(c, T, 'switch', { string: 'Z' });
    expect(outputOf(z, 'default', 'value')).toBe('This is the default case');
  },
  'bp--system-readonly-label.yml': async (c) => {
    const e = await runOk(c, T, 'system-readonly-label');
    expect(e.labels).toContainEqual({ key: 'system.readOnly', value: 'true' });
    expect(await messagesOf(c, e, 'log')).toEqual(['Hello from a read-only flow!']);
  },
  'bp--trigger-subflow.yml': async (c) => {
    const e = await runOk(c, T, 'trigger-subflow');
    const child = await c.until(
      () => c.get(String(outputOf(e, 'flow_b', 'executionId'))),
      (x) => x.state.current === 'SUCCESS',
    );
    expect(outputOf(child, 'task_b', 'value')).toBe('task_b - subflow - task_a - flow_a');
  },
  'bp-removed--allow-failure-demo.yml': async (c) => {
    const e = await c.run(T, 'allow-failure-demo');
    expectState(e, 'WARNING');
    expect(stateOf(e, 'fail_silently')).toBe('FAILED');
    expect(await messagesOf(c, e, 'print_to_console')).toEqual([
      'this will run since previous failure was allowed ✅',
    ]);
  },
  'bp-removed--conditional-branching.yml': async (c) => {
    const none = await runOk(c, T, 'conditional-branching');
    expect([stateOf(none, 'if_null'), runsOf(none, 'if_not_null').length]).toEqual(['SUCCESS', 0]);
    const some = await runOk(c, T, 'conditional-branching', { parameter: 'hello' });
    expect(await messagesOf(c, some, 'if_not_null')).toEqual(['Received input hello']);
  },
  'bp-removed--finally-failure-flow.yml': async (c) => {
    const e = await c.run(T, 'finally-failure-flow');
    expectState(e, 'FAILED');
    expect(stateOf(e, 'final_task')).toBe('SUCCESS');
  },
  'bp-removed--finally.yml': async (c) => {
    const e = await runOk(c, T, 'finally');
    expect(timeOf(runsOf(e, 'final_task')[0], 'RUNNING')).toBeGreaterThanOrEqual(
      timeOf(runsOf(e, 'log')[0], 'SUCCESS'),
    );
  },
  'bp-removed--input-file.yml': async (c) => {
    const form = new FormData();
    form.append('text_file', new Blob(['line one\nline two\n']), 'notes.txt');
    const e = await runOk(c, T, 'input-file', form);
    expect(await messagesOf(c, e, 'read_file')).toEqual(['line one', 'line two']);
  },
  'bp-removed--log-flow.yml': async (c) => {
    expect(await messagesOf(c, await runOk(c, T, 'log-flow'), 'log')).toEqual(['Hello world!']);
  },
  'bp-removed--metrics-from-shell-commands.yml': async (c) => {
    const e = await runOk(c, T, 'metrics-from-shell-commands');
    expect((await messagesOf(c, e, 'process')).join('\n'), 'the protocol line is consumed').not.toContain(
      '::{',
    );
  },
  'bp-removed--outputs-from-shell-commands.yml': async (c) => {
    const e = await runOk(c, T, 'outputs-from-shell-commands');
    expect(outputOf(e, 'process', 'vars')).toEqual({ test: 'value', int: 2, bool: true, float: 3.65 });
    expect(outputOf(e, 'return', 'value')).toBe('value');
  },
  'bp-removed--parallel-sequences.yml': async (c) => {
    const e = await runOk(c, T, 'parallel-sequences');
    for (const id of ['task1', 'task2', 'task3', 'task4']) expect(outputOf(e, id, 'value')).toBe(id);
    expect(timeOf(runsOf(e, 'task2')[0], 'CREATED')).toBeGreaterThanOrEqual(
      timeOf(runsOf(e, 'task1')[0], 'SUCCESS'),
    );
  },
  'bp-removed--parallel-tasks.yml': async (c) => {
    const e = await runOk(c, T, 'parallel-tasks');
    expect([outputOf(e, 'task1', 'value'), outputOf(e, 'task2', 'value')]).toEqual(['task1', 'task2']);
  },
  'bp-removed--run-if.yml': async (c) => {
    expect(stateOf(await runOk(c, T, 'run-if'), 'step2')).toBe('SUCCESS');
    expect(runsOf(await runOk(c, T, 'run-if', { run_everything: false }), 'step2')).toHaveLength(0);
  },
  'bp-removed--subflow-for-each-value.yml': async (c) => {
    const e = await runOk(c, T, 'subflow-for-each-value');
    const subs = runsOf(e, 'subflow');
    expect(subs).toHaveLength(400); // Pebble's range is inclusive
    const last = subs.find((t) => t.value === '400');
    const child = await c.get(String(last?.outputs?.executionId));
    expect(outputOf(child, 'task_b', 'value')).toBe('task_b - subflow - 400');
  },
  'bp-removed--task-outputs.yml': async (c) => {
    expect(await messagesOf(c, await runOk(c, T, 'task-outputs'), 'task2')).toEqual(['Hello World!']);
  },
  'doc--flow_Dag_1.yml': async (c) => {
    const e = await runOk(c, T, 'dag_flow');
    const t = (id: string, s: string) => timeOf(runsOf(e, id)[0], s);
    for (const [after, before] of [
      ['task2', 'task1'],
      ['task3', 'task1'],
      ['task4', 'task2'],
      ['task5', 'task4'],
      ['task5', 'task3'],
    ] as const)
      expect(t(after, 'CREATED'), `${after} after ${before}`).toBeGreaterThanOrEqual(t(before, 'SUCCESS'));
  },
  'doc--flow_EachParallel_2.yml': async (c) => {
    const e = await runOk(c, T, 'parallel_script');
    const listing = (await messagesOf(c, e, 'process_all_files')).join('\n');
    for (let i = 1; i <= 8; i++) expect(listing).toContain(`file_${i}.txt`);
  },
  'doc--flow_ForEach_1.yml': async (c) => {
    const e = await runOk(c, T, 'for_loop_example');
    expect(runsOf(e, 'before_if').map((t) => t.outputs?.value)).toEqual([
      'Before if value 1',
      'Before if value 2',
      'Before if value 3',
    ]);
    expect(runsOf(e, 'after_if').map((t) => t.outputs?.value)).toEqual(['After if value 2']);
  },
  'doc--flow_WaitFor_1.yml': async (c) => {
    const e = await runOk(c, T, 'wait_for');
    const values = runsOf(e, 'return').map((t) => String(t.outputs?.value));
    expect(values.at(-1)).toBe('4');
    expect(values).toEqual(values.map((_, i) => String(4 - values.length + 1 + i)));
    expect(outputOf(e, 'loop', 'iterationCount')).toBe(values.length);
  },
  'doc--flow_WorkingDirectory_3.yml': async (c) => {
    const e = await runOk(c, T, 'working_directory');
    expect(outputOf(e, 'second', 'vars')).toEqual({ stay: runsOf(e, 'first')[0]?.id });
  },
  'doc--http_Request_11.yml': async (c) => {
    await runOk(c, T, 'http_csv_file_upload');
    const [up] = hits(c, '/upload').filter((r) => String(r.headers['user-agent']) === 'kestra-io');
    const part = parseMultipart(up!).find((p) => p.name === 'url');
    expect(part?.filename, 'the kestra:// file is sent as a file part').toBeDefined();
    expect(part?.data.toString('utf8')).toBe(ORDERS_CSV);
  },
  'doc--http_Request_6.yml': async (c) => {
    const e = await runOk(c, T, 'http_post_request_example');
    const [req] = hits(c, '/products/add');
    expect(String(req?.headers['content-type'])).toContain('application/json');
    expect(JSON.parse(req!.body.toString('utf8'))).toEqual({ title: 'Kestra Pen' });
    expect(outputOf(e, 'send_data', 'code')).toBe(201);
    expect(JSON.parse((await messagesOf(c, e, 'print_status'))[0] ?? '{}')).toEqual({
      id: 195,
      title: 'Kestra Pen',
    });
  },
  'doc--http_Request_9.yml': async (c) => {
    const form = new FormData();
    form.append('file', new Blob(['file body 9']), 'local.txt');
    await runOk(c, T, 'http_post_multipart_example', form);
    const up = hits(c, '/upload').at(-1);
    const part = parseMultipart(up!).find((p) => p.name === 'user');
    expect(part?.filename).toBe('my-file.txt');
    expect(part?.data.toString('utf8')).toBe('file body 9');
  },
  'doc--kv_Set_1.yml': async (c) => {
    const e = await runOk(c, T, 'kv_store_set');
    const uri = String(outputOf(e, 'http_download', 'uri'));
    expect(uri).toMatch(/^kestra:\/\//);
    expect(c.readStorage(uri).toString('utf8')).toBe(ORDERS_CSV);
    const kv = (await (await c.call('GET', `/namespaces/${T}/kv/orders_file`)).json()) as { value: unknown };
    expect(kv.value).toBe(uri);
  },
  'doc--output_OutputValues_1.yml': async (c) => {
    const e = await runOk(c, T, 'outputs_flow');
    const v = outputOf(e, 'output_values', 'values') as Record<string, unknown>;
    expect(v.number_value).toBe(42);
    expect(v.array_value).toEqual(['output_values', 'outputs_flow', 'static value']);
    expect(v.nested_object).toEqual({ key1: 'value1', key2: e.id });
    expect(String(v.taskrun_data)).toMatch(/^output_values > \d{4}-/);
    expect((await messagesOf(c, e, 'log_values'))[0]).toContain('output_values > ');
  },
  'doc--tutorial-getting-started.yml': async (c) => {
    const e = await runOk(c, T, 'getting_started');
    expect(outputOf(e, 'api', 'code')).toBe(200);
    expect(JSON.parse(String(outputOf(e, 'api', 'body'))).products[0].title).toBe('Essence Mascara');
  },
};
