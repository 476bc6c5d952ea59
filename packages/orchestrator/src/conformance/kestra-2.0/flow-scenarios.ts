/**
 * Kestra 2.0 flow scenarios, written from the docs digest
 * (../shared/conformance/kestra-2.0/CHANGES.md, section A; the section is
 * named on each). Each one saves flows on a 2.0 instance and checks what
 * Kestra 2.0 documents; `flows.test.ts` runs them and prints
 * `conformance 2.0 flows: N/M passed`.
 */

/** What a scenario may do against the instance. */
export type Api = {
  /** POST /flows (optionally `?draft=true`): the status and the body. */
  save(yaml: string, query?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** PUT /flows/{ns}/{id}. */
  update(ns: string, id: string, yaml: string, query?: string): Promise<{ status: number; body: unknown }>;
  /** POST /flows/validate: the constraints of the first flow, if any. */
  validate(yaml: string): Promise<string | undefined>;
  /** POST /executions/{ns}/{id}?wait=true: the status and the execution. */
  run(ns: string, id: string, inputs?: Record<string, unknown>): Promise<{ status: number; body: Exec }>;
  /** GET /executions/search for a flow, settled, newest first. */
  executionsOf(ns: string, id: string, atLeast: number): Promise<Exec[]>;
  /** POST /executions/webhook/{ns}/{id}/{key} with a JSON body: the status. */
  webhook(ns: string, id: string, key: string, body: unknown): Promise<number>;
  /** PUT /namespaces/{ns}/kv/{key} with a JSON value. */
  putKv(ns: string, key: string, value: unknown): Promise<void>;
  /** POST /executions/{id}/restart, then the execution once settled again. */
  restart(id: string): Promise<Exec>;
};

export type Exec = {
  id: string;
  flowRevision: number;
  state: { current: string };
  taskRunList: Array<{
    taskId: string;
    value?: string;
    state: { current: string; histories: Array<{ state: string; date: string }> };
    outputs?: Record<string, unknown> | null;
  }>;
  outputs?: Record<string, unknown> | null;
  trigger?: { id: string; variables?: Record<string, unknown> };
};

export type Scenario = { name: string; source: string; run(api: Api): Promise<void> };

/** Throws with `what` when `ok` is false (scenarios report the first broken expectation). */
export function expectThat(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

const eq = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const ns = 'conf.k20';

/** A flow refused at save (422) and at validate, naming `path` and the line. */
function refused(name: string, source: string, yaml: string, path: string, words: string): Scenario {
  return {
    name,
    source,
    async run(api) {
      const saved = await api.save(yaml);
      const text = JSON.stringify(saved.body);
      expectThat(saved.status === 422, `save answered ${saved.status}, expected 422: ${text}`);
      expectThat(text.includes(path), `the 422 does not name ${path}: ${text}`);
      expectThat(/line \d+/.test(text), `the 422 gives no line: ${text}`);
      expectThat(text.includes(words), `the 422 does not say "${words}": ${text}`);
      const constraints = await api.validate(yaml);
      expectThat(constraints?.includes(path) === true, `validate does not report ${path}: ${constraints}`);
    },
  };
}

const LOOP = `id: loop_env
namespace: ${ns}
tasks:
  - id: each_env
    type: io.kestra.plugin.core.flow.Loop
    values: ["dev", "prod"]
    concurrencyLimit: 1
    outputs:
      - id: msg
        type: STRING
        value: "{{ outputs.say.value }}"
    tasks:
      - id: say
        type: io.kestra.plugin.core.debug.Return
        format: "deploy {{ item.value }} #{{ item.index }}"
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ loopOutputs(outputs.each_env.outputs, 'msg') | join(',') }} / {{ outputs.each_env.iterationCount }}"
`;

export const FLOW_SCENARIOS: Scenario[] = [
  {
    name: 'Loop: item.value/item.index, declared outputs and loopOutputs() after the loop',
    source: 'A.1 (guide example "After (2.0)")',
    async run(api) {
      expectThat((await api.save(LOOP)).status === 200, 'the Loop flow was not saved');
      const { body: e } = await api.run(ns, 'loop_env');
      expectThat(e.state.current === 'SUCCESS', `state ${e.state.current}`);
      const says = e.taskRunList.filter((t) => t.taskId === 'say').map((t) => t.outputs?.value);
      expectThat(
        eq(says, ['deploy dev #0', 'deploy prod #1']),
        `iterations answered ${JSON.stringify(says)}`,
      );
      const after = e.taskRunList.find((t) => t.taskId === 'after')?.outputs?.value;
      expectThat(after === 'deploy dev #0,deploy prod #1 / 2', `after read ${String(after)}`);
      const loop = e.taskRunList.find((t) => t.taskId === 'each_env')?.outputs;
      expectThat(
        eq(loop?.terminatedIterations, { SUCCESS: 2 }),
        `terminatedIterations ${JSON.stringify(loop?.terminatedIterations)}`,
      );
    },
  },
  {
    name: 'Loop: concurrencyLimit defaults to 0 (unlimited), so iterations run at once',
    source: 'A.1 ("Default change to watch")',
    async run(api) {
      const yaml = `id: loop_parallel
namespace: ${ns}
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.Loop
    values: [1, 2, 3]
    tasks:
      - id: nap
        type: io.kestra.plugin.core.flow.Sleep
        duration: PT0.3S
`;
      expectThat((await api.save(yaml)).status === 200, 'not saved');
      const { body: e } = await api.run(ns, 'loop_parallel');
      expectThat(e.state.current === 'SUCCESS', `state ${e.state.current}`);
      const naps = e.taskRunList.filter((t) => t.taskId === 'nap');
      expectThat(naps.length === 3, `${naps.length} naps`);
      const starts = naps.map((t) => Date.parse(t.state.histories[0]!.date));
      const ends = naps.map((t) => Date.parse(t.state.histories.at(-1)!.date));
      expectThat(Math.max(...starts) < Math.min(...ends), 'the iterations ran one after another');
    },
  },
  {
    name: 'Loop: map values give item.key; a failed iteration fails the loop unless transmitFailed: false',
    source: 'A.1 (Loop properties: values, transmitFailed)',
    async run(api) {
      const yaml = (id: string, transmit: boolean) => `id: ${id}
namespace: ${ns}
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.Loop
    values: {a: "1", b: "0"}
    transmitFailed: ${transmit}
    tasks:
      - id: check
        type: io.kestra.plugin.core.execution.Fail
        condition: "{{ item.value == '0' }}"
        errorMessage: "{{ item.key }} is zero"
`;
      expectThat((await api.save(yaml('loop_fail', true))).status === 200, 'not saved');
      expectThat((await api.save(yaml('loop_tolerant', false))).status === 200, 'not saved');
      const strict = (await api.run(ns, 'loop_fail')).body;
      expectThat(strict.state.current === 'FAILED', `transmitFailed true: ${strict.state.current}`);
      const tolerant = (await api.run(ns, 'loop_tolerant')).body;
      expectThat(tolerant.state.current === 'SUCCESS', `transmitFailed false: ${tolerant.state.current}`);
    },
  },
  {
    name: 'Loop: a restart runs only the failed iteration again',
    source: 'A.1 (each iteration as its own execution) with 1.3 restart semantics',
    async run(api) {
      const yaml = `id: loop_restart
namespace: ${ns}
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.Loop
    values: [a, b]
    concurrencyLimit: 1
    tasks:
      - id: check
        type: io.kestra.plugin.core.execution.Fail
        condition: "{{ item.value == 'b' and kv('fixed', errorOnMissing=false) != 'yes' }}"
`;
      expectThat((await api.save(yaml)).status === 200, 'not saved');
      const first = (await api.run(ns, 'loop_restart')).body;
      expectThat(first.state.current === 'FAILED', `first run ${first.state.current}`);
      await api.putKv(ns, 'fixed', 'yes');
      const again = await api.restart(first.id);
      expectThat(again.state.current === 'SUCCESS', `after restart ${again.state.current}`);
      const checks = again.taskRunList.filter((t) => t.taskId === 'check');
      expectThat(checks.length === 2, `${checks.length} check task runs, expected 2 (one per item)`);
      const a = checks.find((t) => t.value === 'a')!;
      expectThat(
        !a.state.histories.some((h) => h.state === 'RESTARTED'),
        'the successful iteration ran again',
      );
    },
  },
  {
    name: 'Webhook trigger `when` (Pebble) filters on the body',
    source: 'A.2 (Webhook, 2.0)',
    async run(api) {
      const yaml = `id: hooked
namespace: ${ns}
tasks:
  - id: t
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.body.kind }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: s3cr3tKey
    when: "{{ trigger.body.kind == 'push' }}"
`;
      expectThat((await api.save(yaml)).status === 200, 'not saved');
      const skipped = await api.webhook(ns, 'hooked', 's3cr3tKey', { kind: 'tag' });
      expectThat(skipped === 204, `a falsy when answered ${skipped}, expected 204`);
      const fired = await api.webhook(ns, 'hooked', 's3cr3tKey', { kind: 'push' });
      expectThat(fired === 200, `a truthy when answered ${fired}`);
      const runs = await api.executionsOf(ns, 'hooked', 1);
      expectThat(runs.length === 1, `${runs.length} executions, expected 1`);
    },
  },
  {
    name: 'Flow trigger dependsOn (mode ALL) fires once both upstreams succeeded; trigger.outputs.<flowId>.<key>',
    source: 'A.3 (dependsOn + window example)',
    async run(api) {
      const upstream = (id: string, day: string) => `id: ${id}
namespace: ${ns}.raw
tasks:
  - id: t
    type: io.kestra.plugin.core.debug.Return
    format: "${day}"
outputs:
  - id: day
    type: STRING
    value: "{{ outputs.t.value }}"
`;
      const downstream = `id: after_both
namespace: ${ns}
inputs:
  - id: day
    type: STRING
tasks:
  - id: t
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.day }}"
triggers:
  - id: after_both
    type: io.kestra.plugin.core.trigger.Flow
    inputs: { day: "{{ trigger.outputs.load_a.day }}-{{ trigger.outputs.load_b.day }}" }
    dependsOn:
      - { namespace: ${ns}.raw, flowId: load_a, states: [SUCCESS] }
      - { namespace: ${ns}.raw, flowId: load_b, states: [SUCCESS] }
    window: { lookback: PT1H }
`;
      for (const y of [upstream('load_a', 'mon'), upstream('load_b', 'tue'), downstream])
        expectThat((await api.save(y)).status === 200, 'not saved');
      await api.run(`${ns}.raw`, 'load_a');
      const none = await api.executionsOf(ns, 'after_both', 0);
      expectThat(none.length === 0, 'fired after one of two upstreams');
      await api.run(`${ns}.raw`, 'load_b');
      const runs = await api.executionsOf(ns, 'after_both', 1);
      expectThat(runs.length === 1, `${runs.length} downstream executions, expected 1`);
      const value = runs[0]!.taskRunList.find((t) => t.taskId === 't')?.outputs?.value;
      expectThat(value === 'mon-tue', `trigger.outputs read ${String(value)}`);
    },
  },
  {
    name: 'Flow trigger dependsOn mode ANY fires on either upstream, with entry `when`',
    source: 'A.3 (mode ANY, entry when)',
    async run(api) {
      const yaml = `id: after_any
namespace: ${ns}
tasks:
  - id: t
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.flowId }}"
triggers:
  - id: any
    type: io.kestra.plugin.core.trigger.Flow
    mode: ANY
    dependsOn:
      - { flowId: load_a, when: "{{ namespace | startsWith('${ns}') }}" }
      - { flowId: nope }
`;
      expectThat((await api.save(yaml)).status === 200, 'not saved');
      await api.run(`${ns}.raw`, 'load_a');
      const runs = await api.executionsOf(ns, 'after_any', 1);
      expectThat(runs.length === 1, `${runs.length} executions, expected 1`);
    },
  },
  {
    name: 'checks `when`: a false check blocks the execution (422 with its message)',
    source: 'A.4',
    async run(api) {
      const yaml = `id: eu_only
namespace: ${ns}
inputs:
  - id: region
    type: SELECT
    values: [eu, us]
checks:
  - when: "{{ inputs.region == 'eu' }}"
    message: EU only
    behavior: BLOCK_EXECUTION
tasks:
  - id: t
    type: io.kestra.plugin.core.debug.Return
    format: ok
`;
      expectThat((await api.save(yaml)).status === 200, 'not saved');
      const ok = await api.run(ns, 'eu_only', { region: 'eu' });
      expectThat(ok.status === 200 && ok.body.state.current === 'SUCCESS', `eu: ${ok.status}`);
      const blocked = await api.run(ns, 'eu_only', { region: 'us' });
      expectThat(blocked.status === 422, `us: ${blocked.status}, expected 422`);
      expectThat(JSON.stringify(blocked.body).includes('EU only'), 'the 422 does not carry the message');
    },
  },
  {
    name: 'BOOL input works; BOOLEAN is refused',
    source: 'A.7',
    async run(api) {
      const yaml = `id: dry
namespace: ${ns}
inputs:
  - id: dry_run
    type: BOOL
    defaults: true
tasks:
  - id: t
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.dry_run }}"
`;
      expectThat((await api.save(yaml)).status === 200, 'BOOL not saved');
      const { body: e } = await api.run(ns, 'dry', { dry_run: 'false' });
      expectThat(
        e.taskRunList[0]?.outputs?.value === 'false',
        `read ${String(e.taskRunList[0]?.outputs?.value)}`,
      );
    },
  },
  {
    name: 'drafts: ?draft=true saves a revision that executions without a revision skip; draft-only → 404',
    source: 'C.2, B.1 row 1 and 9 (PR #15717)',
    async run(api) {
      const v = (n: string) => `id: drafty
namespace: ${ns}
tasks:
  - id: t
    type: io.kestra.plugin.core.debug.Return
    format: "${n}"
`;
      const only = await api.save(v('one'), 'draft=true');
      expectThat(only.status === 200 && only.body.draft === true, `draft save: ${JSON.stringify(only.body)}`);
      const none = await api.run(ns, 'drafty');
      expectThat(none.status === 404, `a draft-only flow answered ${none.status}, expected 404`);
      expectThat((await api.update(ns, 'drafty', v('two'))).status === 200, 'publish failed');
      expectThat((await api.update(ns, 'drafty', v('three'), 'draft=true')).status === 200, 'draft 3 failed');
      const { body: e } = await api.run(ns, 'drafty');
      expectThat(e.flowRevision === 2, `ran revision ${e.flowRevision}, expected 2 (latest non-draft)`);
      expectThat(e.taskRunList[0]?.outputs?.value === 'two', 'ran the draft');
    },
  },
  refused(
    'ForEach is refused with "Invalid type"',
    'A.1, A.9',
    `id: old_loop
namespace: ${ns}
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [a]
    tasks:
      - id: t
        type: io.kestra.plugin.core.log.Log
        message: hi
`,
    'tasks[0].type',
    'Invalid type: io.kestra.plugin.core.flow.ForEach',
  ),
  refused(
    'ForEachItem is refused',
    'A.1',
    `id: old_items
namespace: ${ns}
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.f }}"
    namespace: x
    flowId: y
`,
    'tasks[0].type',
    'Invalid type',
  ),
  refused(
    'trigger conditions are refused',
    'A.2',
    `id: old_cond
namespace: ${ns}
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: weekdays
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 9 * * *"
    conditions:
      - type: io.kestra.plugin.core.condition.Weekend
`,
    'triggers[0].conditions',
    'Unrecognized field',
  ),
  refused(
    'pluginDefaults are refused with "Unrecognized field"',
    'A.6',
    `id: old_defaults
namespace: ${ns}
pluginDefaults:
  - type: io.kestra.plugin.core.log.Log
    values: { level: WARN }
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
`,
    'pluginDefaults',
    'Unrecognized field \\"pluginDefaults\\"',
  ),
  refused(
    'input types BOOLEAN and ENUM are refused',
    'A.7',
    `id: old_inputs
namespace: ${ns}
inputs:
  - id: env
    type: ENUM
    values: [dev, prod]
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
`,
    'inputs[0].type',
    'use SELECT',
  ),
  refused(
    'checks `condition` is refused (renamed `when`)',
    'A.4',
    `id: old_check
namespace: ${ns}
checks:
  - condition: "{{ true }}"
    message: hi
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
`,
    'checks[0].condition',
    'use `when`',
  ),
  refused(
    'Pebble json() is refused (use fromJson)',
    'A.8',
    `id: old_json
namespace: ${ns}
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: "{{ json('{\\"a\\": 1}').a }}"
`,
    'tasks[0].message',
    'fromJson',
  ),
];
