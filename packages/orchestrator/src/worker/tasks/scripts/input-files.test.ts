import { describe, expect, it } from 'vitest';
import { InternalStorage } from '../../../storage/internal-storage.js';
import { NamespaceFiles } from '../../../storage/namespace-files.js';
import { NonRetryableTaskError } from '../../runnable-task.js';
import { testRunContext, testTask } from '../kv/test-run-context.js';
import { createShellTasks } from './shell-tasks.js';

const SCRIPT = 'io.kestra.plugin.scripts.shell.Script';
const { script } = createShellTasks({ killGraceMs: 500 });
const text = (s: string) => new TextEncoder().encode(s);

describe('files for scripts', () => {
  it('writes inputFiles (text and kestra:// files) before the script runs', async () => {
    const { dataDir } = testRunContext();
    const uri = new InternalStorage(dataDir).put(
      ['io', 'kestra', 'tests', 'flow', 'executions', 'e'],
      'a.csv',
      'x,y\n1,2\n',
    );
    const ctx = testRunContext({ dataDir, variables: { inputs: { who: 'Ada' }, outputs: { dl: { uri } } } });
    const result = await script.run(
      testTask(SCRIPT, {
        inputFiles: { 'hello.txt': 'hello {{ inputs.who }}', 'data/in.csv': '{{ outputs.dl.uri }}' },
        script: 'cat hello.txt; echo; cat data/in.csv',
      }),
      ctx,
    );
    expect(result.outputs?.exitCode).toBe(0);
    expect(ctx.logs.map((l) => l.message)).toEqual(['hello Ada', 'x,y', '1,2']);
  });

  it('takes inputFiles as a template rendering to a JSON map (outputFiles of an earlier task)', async () => {
    const { dataDir } = testRunContext();
    const storage = new InternalStorage(dataDir);
    const files = {
      'out/file_1.txt': storage.put(
        ['n', 'f', 'executions', 'e', 'tasks', 's', '1', 'out'],
        'file_1.txt',
        '1\n',
      ),
      'out/file_2.txt': storage.put(
        ['n', 'f', 'executions', 'e', 'tasks', 's', '2', 'out'],
        'file_2.txt',
        '2\n',
      ),
    };
    const ctx = testRunContext({
      dataDir,
      variables: {
        outputs: {
          script: {
            1: { outputFiles: { 'out/file_1.txt': files['out/file_1.txt'] } },
            2: { outputFiles: { 'out/file_2.txt': files['out/file_2.txt'] } },
          },
        },
      },
    });
    await script.run(
      testTask(SCRIPT, {
        inputFiles: "{{ outputs.script | jq('map(.outputFiles) | add') | first }}",
        script: 'ls out/; cat out/*',
      }),
      ctx,
    );
    expect(ctx.logs.map((l) => l.message)).toEqual(['file_1.txt', 'file_2.txt', '1', '2']);
  });

  it('refuses an inputFiles path outside the working directory', async () => {
    for (const name of ['../escape.txt', '/etc/x', 'a/../../b'])
      await expect(
        script.run(testTask(SCRIPT, { inputFiles: { [name]: 'x' }, script: 'true' }), testRunContext()),
      ).rejects.toThrow(NonRetryableTaskError);
  });

  it('copies the namespace files that include/exclude select, per namespace when asked', async () => {
    const ctx = testRunContext();
    const ns = new NamespaceFiles(ctx.dataDir);
    ns.write('io.kestra.tests', '/scripts/main.sh', text('echo main'));
    ns.write('io.kestra.tests', '/scripts/skip.sh', text('echo skip'));
    ns.write('io.kestra.tests', '/README', text('doc'));
    ns.write('company.shared', '/lib.sh', text('echo lib'));
    await script.run(
      testTask(SCRIPT, {
        namespaceFiles: { enabled: true, include: ['scripts/**'], exclude: ['**/skip.sh'] },
        script: 'find . -type f ! -name script.sh | sort; sh scripts/main.sh',
      }),
      ctx,
    );
    expect(ctx.logs.map((l) => l.message)).toEqual(['./scripts/main.sh', 'main']);

    const per = testRunContext({ dataDir: ctx.dataDir });
    await script.run(
      testTask(SCRIPT, {
        namespaceFiles: {
          namespaces: ['company.shared', 'io.kestra.tests'],
          folderPerNamespace: true,
          include: ['*.sh', 'README'],
        },
        script: 'find . -type f ! -name script.sh | sort',
      }),
      per,
    );
    expect(per.logs.map((l) => l.message)).toEqual(['./company.shared/lib.sh', './io.kestra.tests/README']);

    const off = testRunContext({ dataDir: ctx.dataDir });
    await script.run(testTask(SCRIPT, { namespaceFiles: { enabled: false }, script: 'ls' }), off);
    expect(off.logs.map((l) => l.message)).toEqual(['script.sh']);
  });
});
