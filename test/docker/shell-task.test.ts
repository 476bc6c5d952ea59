import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import { withTaskOutputs } from '../helpers/outputs.js';
import { type DockerGateway, removeDataDir, startDockerGateway } from './docker-gateway.js';
import { testImage } from './orchestrator-image.js';

const reason = await dockerUnavailableReason();
const image = reason === undefined ? await testImage() : undefined;

/** Kestra's default shell tasks, in a Docker tenant through the real gateway (issue 12 §2). */
const FLOW = String.raw`id: shell
namespace: e2e.shell
tasks:
  - id: commands
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - echo hello from sh
      - ls /
      - echo "uid=$(id -u)"
      - echo '::{"outputs":{"n":1}}::'
  - id: tools
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - printf 'b\na\nb\n' | sort | uniq | wc -l | tr -d ' ' | sed 's/^/distinct=/'
      - echo a,b,c | cut -d, -f2 | awk '{ print "awk=" toupper($0) }'
      - mkdir -p d/e && echo found > d/e/f && find d -type f | xargs cat
      - printf '1\n2\n3\n' > n && head -n 2 n | tail -n 1 | sed 's/^/second=/'
      - cp d/e/f g && mv g h && rm h && rm -r d && echo files=ok
      - date +%Y | grep -Eq '^[0-9]{4}$' && env | grep -q '^PATH=' && sleep 0.1 && echo utils=ok
  - id: script
    type: io.kestra.plugin.scripts.shell.Script
    script: |
      n=0
      for i in 1 2 3; do n=$((n + i)); done
      echo "sum=$n"
      echo "::{\"outputs\":{\"sum\":$n}}::"
`;

/** Files for scripts (issue 13 §2): outputFiles, inputFiles (text and kestra://), namespace files, jq on outputs. */
const FILES_FLOW = `id: files
namespace: e2e.shell
tasks:
  - id: produce
    type: io.kestra.plugin.scripts.shell.Commands
    outputFiles: ["out/*.txt"]
    commands:
      - mkdir out && echo one > out/a.txt && echo two > out/b.txt
  - id: consume
    type: io.kestra.plugin.scripts.shell.Script
    namespaceFiles:
      include: ["scripts/**"]
    inputFiles:
      in/a.txt: "{{ outputs.produce.outputFiles['out/a.txt'] }}"
      note.txt: "note of {{ flow.id }}"
    script: |
      sh scripts/hello.sh
      cat in/a.txt note.txt; echo
      echo "files={{ outputs.produce.outputFiles | jq('keys | length') | first }}"
`;

type Execution = {
  id: string;
  state: { current: string };
  taskRunList: {
    id?: string;
    taskId: string;
    state: { current: string };
    outputs?: Record<string, unknown>;
  }[];
};

describeDocker(reason, 'a shell task in a Docker tenant', () => {
  const docker = new Docker();
  const run = randomBytes(3).toString('hex');
  const tenant = `shell-${run}`;
  let g: DockerGateway;
  let key = '';
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${g.url}/api/v1/${tenant}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(90_000),
    });

  beforeAll(async () => {
    g = await startDockerGateway({ image: image!.tag, labels: { 'silo.test-run': run } });
    key = await g.tenant(tenant);
  });
  afterAll(async () => {
    await g?.close({ stopInstances: true }).catch(() => undefined);
    await docker
      .getContainer(`silo-${tenant}`)
      .remove({ force: true })
      .catch(() => undefined);
    await docker
      .getNetwork(`silo-${tenant}-net`)
      .remove()
      .catch(() => undefined);
    await docker
      .getVolume(`silo-${tenant}-data`)
      .remove()
      .catch(() => undefined);
    if (g) removeDataDir(g.dataDir);
  });

  it('runs Commands and Script with /bin/sh and the common utilities; logs and outputs come back', async () => {
    const created = await api('/flows', {
      method: 'POST',
      headers: { 'content-type': 'application/x-yaml' },
      body: FLOW,
    });
    expect(created.status, await created.clone().text()).toBeLessThan(300);
    const res = await api('/executions/e2e.shell/shell?wait=true', { method: 'POST' });
    expect(res.status).toBeLessThan(300);
    const execution = await withTaskOutputs(api, (await res.json()) as Execution);
    const logs = (await (await api(`/logs/${execution.id}`)).json()) as { taskId: string; message: string }[];
    const lines = (taskId: string) => logs.filter((l) => l.taskId === taskId).map((l) => l.message);
    expect(execution.state.current, JSON.stringify(logs)).toBe('SUCCESS');
    // It really ran in the container: its root has the image's folders, and the task runs as uid 10001.
    expect(lines('commands')).toEqual(
      expect.arrayContaining(['hello from sh', 'bin', 'data', 'usr', 'uid=10001']),
    );
    expect(lines('tools')).toEqual(['distinct=2', 'awk=B', 'found', 'second=2', 'files=ok', 'utils=ok']);
    expect(lines('script')).toEqual(['sum=6']);
    const outputs = Object.fromEntries(execution.taskRunList.map((t) => [t.taskId, t.outputs]));
    expect(outputs.commands).toEqual({ exitCode: 0, vars: { n: 1 } });
    expect(outputs.script).toEqual({ exitCode: 0, vars: { sum: 6 } });
  });

  it('gives scripts their files: namespace files, inputFiles, outputFiles as kestra:// URIs, jq', async () => {
    const form = new FormData();
    form.append('fileContent', new Blob(['echo "hello from a namespace file"\n']), 'hello.sh');
    const up = await api('/namespaces/e2e.shell/files?path=/scripts/hello.sh', {
      method: 'POST',
      body: form,
    });
    expect(up.status, await up.clone().text()).toBeLessThan(300);
    const created = await api('/flows', {
      method: 'POST',
      headers: { 'content-type': 'application/x-yaml' },
      body: FILES_FLOW,
    });
    expect(created.status, await created.clone().text()).toBeLessThan(300);
    const execution = await withTaskOutputs(
      api,
      (await (await api('/executions/e2e.shell/files?wait=true', { method: 'POST' })).json()) as Execution,
    );
    const logs = (await (await api(`/logs/${execution.id}`)).json()) as { taskId: string; message: string }[];
    expect(execution.state.current, JSON.stringify(logs)).toBe('SUCCESS');
    const produced = execution.taskRunList.find((t) => t.taskId === 'produce')?.outputs?.outputFiles;
    expect(Object.keys(produced as object)).toEqual(['out/a.txt', 'out/b.txt']);
    expect(String((produced as Record<string, string>)['out/a.txt'])).toMatch(
      /^kestra:\/\/\/e2e\/shell\/files\/executions\//,
    );
    expect(logs.filter((l) => l.taskId === 'consume').map((l) => l.message)).toEqual([
      'hello from a namespace file',
      'one',
      'note of files',
      'files=2',
    ]);
  });
});
