import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NonRetryableTaskError, TaskTimeoutError } from '../../runnable-task.js';
import { testRunContext, testTask } from '../kv/test-run-context.js';
import { parseLogLine } from './log-line-protocol.js';
import { createShellTasks } from './shell-tasks.js';

const COMMANDS = 'io.kestra.plugin.scripts.shell.Commands';
const SCRIPT = 'io.kestra.plugin.scripts.shell.Script';
const { commands, script } = createShellTasks({ killGraceMs: 500 });

/** Where `@kestra-io/libs` is installed, so that a child `node` can `require` it. */
const libsNodeModules = dirname(
  dirname(dirname(createRequire(import.meta.url).resolve('@kestra-io/libs/package.json'))),
);

afterEach(() => {
  delete process.env.SILO_INSTANCE_TOKEN;
});

describe('shell.Commands', () => {
  it('runs the commands, logs stdout as INFO and stderr as ERROR, returns exitCode and vars', async () => {
    const ctx = testRunContext({ variables: { inputs: { name: 'world' } } });
    const result = await commands.run(
      testTask(COMMANDS, { commands: ['echo "hello {{ inputs.name }}"', 'echo oops >&2'] }),
      ctx,
    );
    expect(result).toEqual({ outputs: { exitCode: 0, vars: {} } });
    expect(ctx.logs).toEqual([
      { level: 'INFO', message: 'hello world' },
      { level: 'ERROR', message: 'oops' },
    ]);
  });

  it('collects outputs from ::{"outputs":...}:: lines, which are not logged', async () => {
    const ctx = testRunContext();
    const result = await commands.run(
      testTask(COMMANDS, {
        commands: [
          `echo '::{"outputs":{"test":"value","int":2,"bool":true,"float":3.65}}::'`,
          `echo '::{"outputs":{"int":3}}::'`,
          `echo '::{"logs":[{"level":"WARN","message":"careful"}]}::'`,
        ],
      }),
      ctx,
    );
    expect(result.outputs).toEqual({ exitCode: 0, vars: { test: 'value', int: 3, bool: true, float: 3.65 } });
    expect(ctx.logs).toEqual([{ level: 'WARN', message: 'careful' }]);
  });

  it('reads outputs and logs written by the real @kestra-io/libs from a Node script', async () => {
    const ctx = testRunContext();
    const node = JSON.stringify(process.execPath);
    const js =
      "const Kestra = require('@kestra-io/libs'); Kestra.outputs({ a: 1, nested: { list: [1, 'two'] } }); Kestra.logger().info('from libs'); Kestra.counter('rows', 5);";
    const result = await commands.run(
      testTask(COMMANDS, { commands: [`${node} -e "${js}"`], env: { NODE_PATH: libsNodeModules } }),
      ctx,
    );
    expect(result.outputs).toEqual({ exitCode: 0, vars: { a: 1, nested: { list: [1, 'two'] } } });
    expect(ctx.logs).toEqual([{ level: 'INFO', message: 'from libs' }]);
  });

  it('fails with the exit code in the message; failFast stops at the first failing command', async () => {
    await expect(
      commands.run(testTask(COMMANDS, { commands: ['exit 3'] }), testRunContext()),
    ).rejects.toThrow('Command failed with exit code 3');
    const ctx = testRunContext();
    await expect(
      commands.run(testTask(COMMANDS, { commands: ['false', 'echo after'] }), ctx),
    ).rejects.toThrow('Command failed with exit code 1');
    expect(ctx.logs).toEqual([]);
    const lenient = testRunContext();
    await commands.run(testTask(COMMANDS, { commands: ['false', 'echo after'], failFast: false }), lenient);
    expect(lenient.logs).toEqual([{ level: 'INFO', message: 'after' }]);
  });

  it('runs beforeCommands first, with the task env, an explicit interpreter, in a working dir removed after', async () => {
    const ctx = testRunContext();
    await commands.run(
      testTask(COMMANDS, {
        beforeCommands: ['export B=before'],
        commands: ['echo "$B $GREETING"', 'pwd'],
        env: { GREETING: 'hi' },
        interpreter: ['/bin/sh', '-c'],
      }),
      ctx,
    );
    expect(ctx.logs[0]).toEqual({ level: 'INFO', message: 'before hi' });
    const workingDir = ctx.logs[1]?.message ?? '';
    expect(workingDir.startsWith(join(ctx.dataDir, 'workdirs'))).toBe(true);
    expect(existsSync(workingDir)).toBe(false);
  });

  it("never passes the instance's own environment to the child", async () => {
    process.env.SILO_INSTANCE_TOKEN = 'very-secret';
    const { commands: fresh } = createShellTasks();
    const ctx = testRunContext();
    await fresh.run(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a JS template
      testTask(COMMANDS, { commands: ['echo "token=${SILO_INSTANCE_TOKEN:-absent}"', 'env'] }),
      ctx,
    );
    expect(ctx.logs[0]?.message).toBe('token=absent');
    const names = ctx.logs.slice(1).map((l) => l.message.split('=')[0]);
    expect(
      names.filter(
        (n) =>
          ![
            'PATH',
            'HOME',
            'LANG',
            'LC_ALL',
            'LC_CTYPE',
            'TZ',
            'TMPDIR',
            'PWD',
            'SHLVL',
            '_',
            'OLDPWD',
          ].includes(n ?? ''),
      ),
    ).toEqual([]);
  });

  it('kills the whole process group on abort (timeout), grandchildren included', async () => {
    const controller = new AbortController();
    const ctx = testRunContext({ signal: controller.signal });
    const pidFile = join(ctx.dataDir, 'pid');
    const started = Date.now();
    const run = commands.run(
      testTask(
        COMMANDS,
        { commands: [`sleep 30 & echo $! > ${pidFile}`, 'echo started', 'wait'] },
        { timeoutMs: 200 },
      ),
      ctx,
    );
    await waitFor(() => existsSync(pidFile) && ctx.logs.length > 0);
    controller.abort(new TaskTimeoutError('task', 200));
    await expect(run).rejects.toBeInstanceOf(TaskTimeoutError);
    expect(Date.now() - started).toBeLessThan(5000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !isAlive(pid));
  });

  it('fails without retry when commands are missing or the interpreter does not exist', async () => {
    await expect(commands.run(testTask(COMMANDS, { commands: [] }), testRunContext())).rejects.toBeInstanceOf(
      NonRetryableTaskError,
    );
    await expect(
      commands.run(
        testTask(COMMANDS, { commands: ['echo'], interpreter: ['/no/such/shell', '-c'] }),
        testRunContext(),
      ),
    ).rejects.toThrow("Cannot start interpreter '/no/such/shell'");
  });
});

describe('shell.Script', () => {
  it('writes the script to a file in the working dir and runs it', async () => {
    const ctx = testRunContext({ variables: { inputs: { n: 3 } } });
    const result = await script.run(
      testTask(SCRIPT, {
        script:
          'i=0\nwhile [ $i -lt {{ inputs.n }} ]; do i=$((i+1)); done\necho "count $i"\necho \'::{"outputs":{"count":\'$i\'}}::\'',
      }),
      ctx,
    );
    expect(result.outputs).toEqual({ exitCode: 0, vars: { count: 3 } });
    expect(ctx.logs).toEqual([{ level: 'INFO', message: 'count 3' }]);
    expect(readdirSync(join(ctx.dataDir, 'workdirs', ctx.executionId))).toEqual([]);
  });

  it('fails with the exit code of the script', async () => {
    await expect(
      script.run(testTask(SCRIPT, { script: 'echo x\nexit 7' }), testRunContext()),
    ).rejects.toThrow('Command failed with exit code 7');
  });
});

describe('parseLogLine', () => {
  it.each([
    ['plain', undefined],
    ['::{"outputs":{"a":1}}::', { outputs: { a: 1 }, logs: [], metrics: [] }],
    [
      '  ::{"metrics":[{"name":"n","type":"counter","value":1}]}::  ',
      { outputs: {}, logs: [], metrics: [{ name: 'n', type: 'counter', value: 1 }] },
    ],
    [
      '::{"logs":[{"level":"debug","message":"m"}]}::',
      { outputs: {}, logs: [{ level: 'DEBUG', message: 'm' }], metrics: [] },
    ],
    ['before ::{"outputs":{"a":1}}::', undefined],
  ])('reads %j', (line, expected) => {
    expect(parseLogLine(line)).toEqual(expected);
  });

  it('throws on a line with the shape but broken JSON', () => {
    expect(() => parseLogLine('::{"outputs":}::')).toThrow(SyntaxError);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
