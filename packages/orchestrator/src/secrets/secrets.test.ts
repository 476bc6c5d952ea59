import { PassThrough } from 'node:stream';
import type { ExecutionJson, LogEntryJson } from '@silo/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';
import { parseSecrets, readSecretsFrom, SecretsInputError } from './read-secrets.js';
import { SecretStore } from './secret-store.js';

const VALUE = 'hunter2-Zq9';
let orch: TestOrchestrator;

async function call(
  method: string,
  path: string,
  body?: string,
  type = 'application/x-yaml',
): Promise<Response> {
  return orch.app.request(`/api/v1/main${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': type }, body } : {}),
  });
}

async function runFlow(id: string, tasks: string): Promise<{ exec: ExecutionJson; logs: LogEntryJson[] }> {
  const r = await call('POST', '/flows', `id: ${id}\nnamespace: secrets.test\ntasks:\n${tasks}`);
  expect(r.status, await r.clone().text()).toBe(200);
  const e = (await (await call('POST', `/executions/secrets.test/${id}?wait=true`)).json()) as ExecutionJson;
  const logs = (await (await call('GET', `/logs/${e.id}`)).json()) as LogEntryJson[];
  return { exec: e, logs };
}

beforeAll(async () => {
  orch = await startTestOrchestrator('secrets', { secrets: { API_TOKEN: VALUE } });
});
afterAll(async () => {
  await orch.close();
});

describe('secret()', () => {
  it('reads the value in a task, and masks it in logs, outputs and the execution JSON', async () => {
    const { exec, logs } = await runFlow(
      'use',
      [
        '  - id: log',
        '    type: io.kestra.plugin.core.log.Log',
        `    message: "token is {{ secret('API_TOKEN') }}"`,
        '  - id: ret',
        '    type: io.kestra.plugin.core.debug.Return',
        `    format: "{{ secret('API_TOKEN') | length }}:{{ secret('API_TOKEN') }}"`,
        '  - id: sh',
        '    type: io.kestra.plugin.scripts.shell.Commands',
        '    env:',
        `      TOKEN: "{{ secret('API_TOKEN') }}"`,
        '    commands:',
        '      - echo "shell sees $TOKEN"',
        `      - 'echo "::{\\"outputs\\":{\\"t\\":\\"$TOKEN\\"}}::"'`,
      ].join('\n'),
    );
    expect(exec.state.current).toBe('SUCCESS');
    expect(exec.taskRunList[1]?.outputs?.value).toBe(`${VALUE.length}:******`);
    expect(exec.taskRunList[2]?.outputs).toMatchObject({ vars: { t: '******' } });
    const messages = logs.map((l: { message: string }) => l.message);
    expect(messages).toContain('token is ******');
    expect(messages).toContain('shell sees ******');
    const everything = JSON.stringify(exec) + JSON.stringify(logs);
    expect(everything).not.toContain(VALUE);
  });

  it('fails the task with a message naming an unknown secret, and the instance goes on', async () => {
    const { exec, logs } = await runFlow(
      'unknown',
      ['  - id: log', '    type: io.kestra.plugin.core.log.Log', `    message: "{{ secret('NOPE') }}"`].join(
        '\n',
      ),
    );
    expect(exec.state.current).toBe('FAILED');
    expect(logs.map((l: { message: string }) => l.message).join('\n')).toContain("Cannot find secret 'NOPE'");
    expect((await call('GET', '/flows/secrets.test/unknown')).status).toBe(200);
  });

  it('masks a secret in a failure message', async () => {
    const { exec, logs } = await runFlow(
      'fail',
      [
        '  - id: f',
        '    type: io.kestra.plugin.core.execution.Fail',
        `    errorMessage: "bad {{ secret('API_TOKEN') }}"`,
      ].join('\n'),
    );
    expect(exec.state.current).toBe('FAILED');
    expect(JSON.stringify(logs) + JSON.stringify(exec)).not.toContain(VALUE);
  });
});

describe('secret() in what the executor renders', () => {
  it('masks a secret in flow outputs', async () => {
    const r = await call(
      'POST',
      '/flows',
      `id: outs\nnamespace: secrets.test\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: x\noutputs:\n  - id: leaked\n    type: STRING\n    value: "{{ secret('API_TOKEN') }}"\n`,
    );
    expect(r.status).toBe(200);
    const e = (await (await call('POST', '/executions/secrets.test/outs?wait=true')).json()) as {
      state: { current: string };
      outputs: Record<string, unknown>;
    };
    expect(e.state.current).toBe('SUCCESS');
    expect(e.outputs).toEqual({ leaked: '******' });
  });
});

describe('SecretStore', () => {
  it('masks the longest value first and inside nested values', () => {
    const s = new SecretStore({ A: 'abc', B: 'abcdef' });
    expect(s.maskText('x abcdef y abc')).toBe('x ****** y ******');
    expect(s.mask({ k: ['abc'], abc: 1 })).toEqual({ k: ['******'], '******': 1 });
  });
});

describe('reading secrets from stdin', () => {
  it('reads a JSON object written then closed', async () => {
    const input = new PassThrough();
    const p = readSecretsFrom(input, 1000);
    input.end(JSON.stringify({ A: '1' }));
    expect(await p).toEqual({ A: '1' });
  });
  it('refuses a non-string value without quoting the input', () => {
    expect(() => parseSecrets('{"A": 1}')).toThrow(SecretsInputError);
    expect(() => parseSecrets('{"A": "s3cr3t",')).toThrow(/not valid JSON/);
    try {
      parseSecrets('{"A": "s3cr3t",');
    } catch (err) {
      expect((err as Error).message).not.toContain('s3cr3t');
    }
  });
});

describe('kv() in a flow', () => {
  it('binds named arguments (errorOnMissing=false)', async () => {
    const r = await call(
      'POST',
      '/flows',
      `id: kv-named\nnamespace: secrets.test\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ kv('absent', errorOnMissing=false) is null }}"\n`,
    );
    expect(r.status).toBe(200);
    const e = (await (await call('POST', '/executions/secrets.test/kv-named?wait=true')).json()) as {
      state: { current: string };
      taskRunList: Array<{ outputs: { value: string } }>;
    };
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList[0]?.outputs.value).toBe('true');
  });
});

describe('a webhook key read from a secret', () => {
  it("matches the secret's value and nothing else", async () => {
    const r = await call(
      'POST',
      '/flows',
      `id: hooked\nnamespace: secrets.test\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: x\ntriggers:\n  - id: w\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: "{{ secret('API_TOKEN') }}"\n`,
    );
    expect(r.status).toBe(200);
    expect(
      (await call('POST', `/executions/webhook/secrets.test/hooked/${VALUE}`, '{}', 'application/json'))
        .status,
    ).toBe(200);
    expect(
      (await call('POST', '/executions/webhook/secrets.test/hooked/wrong', '{}', 'application/json')).status,
    ).toBe(404);
    const literal = encodeURIComponent("{{ secret('API_TOKEN') }}");
    expect(
      (await call('POST', `/executions/webhook/secrets.test/hooked/${literal}`, '{}', 'application/json'))
        .status,
    ).toBe(404);
  });
});

describe('a webhook condition using a secret', () => {
  it('accepts only requests carrying the secret in a header', async () => {
    const r = await call(
      'POST',
      '/flows',
      `id: guarded\nnamespace: secrets.test\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: x\ntriggers:\n  - id: w\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: open-key\n    conditions:\n      - type: io.kestra.plugin.core.condition.Expression\n        expression: "{{ trigger.headers['x-signature'][0] == secret('API_TOKEN') }}"\n`,
    );
    expect(r.status).toBe(200);
    const send = (signature: string) =>
      orch.app.request('/api/v1/main/executions/webhook/secrets.test/guarded/open-key', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signature },
        body: '{}',
      });
    const accepted = await send(VALUE);
    expect(accepted.status).toBe(200);
    const { id } = (await accepted.json()) as { id: string };
    const stored = await (await call('GET', `/executions/${id}`)).text();
    expect(stored).toContain('******');
    expect(stored).not.toContain(VALUE);
    expect((await send('forged')).status).toBe(204);
  });
});

describe('execution labels set by a task', () => {
  it('keep a secret masked', async () => {
    const { exec } = await runFlow(
      'labelled',
      [
        '  - id: l',
        '    type: io.kestra.plugin.core.execution.Labels',
        '    labels:',
        `      token: "{{ secret('API_TOKEN') }}"`,
      ].join('\n'),
    );
    expect(exec.state.current).toBe('SUCCESS');
    const stored = await (await call('GET', `/executions/${exec.id}`)).text();
    expect(stored).toContain('"value":"******"');
    expect(stored).not.toContain(VALUE);
  });
});
