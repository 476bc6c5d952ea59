import type { KestraVersion } from '@silo/contracts';
import { type Document, LineCounter, parseAllDocuments, parseDocument } from 'yaml';
import { z } from 'zod';
import { dialectIssues, instanceDialect } from './dialect.js';
import type { Concurrency, Flow, FlowIssue, ParseResult } from './flow-model.js';
import { FLOW_ID, FLOW_ID_MAX, NAMESPACE, NAMESPACE_MAX } from './flow-patterns.js';
import { IssueCollector } from './issue-collector.js';
import { parseChecks } from './parse-checks.js';
import { parseInputs, parseOutputs } from './parse-flow-inputs.js';
import { parseLabels } from './parse-labels.js';
import { parseRetry } from './parse-retry.js';
import { parseTaskList, type TaskParseContext } from './parse-task.js';
import { parseTriggers } from './parse-trigger.js';
import type { PluginDefault } from './plugin-defaults.js';
import { bool, int, oneOf, record, str, zodMessage } from './schema-kit.js';
import { boundedToJS, yamlNestingIssue } from './yaml-guard.js';

const TOP_LEVEL = new Set([
  'id',
  'namespace',
  'revision',
  'description',
  'labels',
  'inputs',
  'variables',
  'tasks',
  'errors',
  'finally',
  'afterExecution',
  'triggers',
  'pluginDefaults',
  'taskDefaults',
  'concurrency',
  'outputs',
  'retry',
  'disabled',
  'deleted',
  'sla',
  'checks',
  'draft',
  'workerGroup',
  'workerSelector',
  'tenantId',
  'updated',
]);

const SCALARS = z.object({
  revision: int(1).optional(),
  description: str().optional(),
  disabled: bool().optional(),
  deleted: bool().optional(),
  variables: record().optional(),
});
const CONCURRENCY = z.strictObject({
  limit: int(1),
  behavior: oneOf(['QUEUE', 'CANCEL', 'FAIL']).optional(),
});
const PLUGIN_DEFAULTS = z.array(
  z.strictObject({ type: str(), forced: bool().optional(), values: record().optional() }),
  { error: (iss) => (iss.input === undefined ? 'is required' : 'expected a list of {type, values}') },
);

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks `id` and `namespace` against Kestra's patterns. */
function identity(raw: Record<string, unknown>, issues: IssueCollector): void {
  const checks = [
    ['id', FLOW_ID, FLOW_ID_MAX, 'a letter or a digit', 'letters, digits, ., _ and -'],
    [
      'namespace',
      NAMESPACE,
      NAMESPACE_MAX,
      'a lowercase letter or a digit',
      'lowercase letters, digits, ., _ and -',
    ],
  ] as const;
  for (const [key, re, max, start, chars] of checks) {
    const v = raw[key];
    if (v === undefined || v === null) issues.add([key], 'is required');
    else if (typeof v !== 'string') issues.add([key], 'expected a string');
    else if (!re.test(v))
      issues.add([key], `invalid ${key} "${v}": it must start with ${start} and contain only ${chars}`);
    else if (v.length > max) issues.add([key], `must be at most ${max} characters`);
  }
}

/**
 * Parses one YAML document of a flow (see `parseFlow`); `lineCounter` must be
 * the one the document was parsed with.
 *
 * @example
 * const lc = new LineCounter();
 * for (const doc of parseAllDocuments(text, { lineCounter: lc })) parseFlowDocument(doc, lc);
 */
export function parseFlowDocument(
  doc: Document,
  lineCounter: LineCounter,
  dialect: KestraVersion = instanceDialect(),
): ParseResult {
  const issues = new IssueCollector(doc, lineCounter);
  if (doc.errors.length > 0) {
    const syntax: FlowIssue[] = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return {
        path: '',
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
        line: pos.line,
        column: pos.col,
      };
    });
    return { ok: false, issues: syntax };
  }
  const js = boundedToJS(doc, lineCounter);
  if (!js.ok) return { ok: false, issues: [js.issue] };
  const raw = js.value;
  if (raw === null || raw === undefined) {
    return { ok: false, issues: [{ path: '', message: 'the flow is empty', line: 1, column: 1 }] };
  }
  if (!isMap(raw)) {
    issues.add([], 'expected a map with id, namespace and tasks');
    return { ok: false, issues: issues.sorted() };
  }
  for (const key of Object.keys(raw)) if (!TOP_LEVEL.has(key)) issues.add([key], `unknown property "${key}"`);
  dialectIssues(raw, dialect, issues);
  identity(raw, issues);
  const scalars = SCALARS.safeParse(raw, { error: zodMessage });
  if (!scalars.success) issues.addZod([], scalars.error.issues);

  const pluginDefaults: PluginDefault[] = [];
  for (const key of ['pluginDefaults', 'taskDefaults'] as const) {
    if (raw[key] === undefined) continue;
    const r = PLUGIN_DEFAULTS.safeParse(raw[key], { error: zodMessage });
    if (!r.success) issues.addZod([key], r.error.issues);
    else
      for (const d of r.data)
        pluginDefaults.push({ type: d.type, forced: d.forced ?? false, values: d.values ?? {} });
  }

  const ctx: TaskParseContext = { issues, defaults: pluginDefaults, taskIds: new Map() };
  if (raw.tasks === undefined || raw.tasks === null)
    issues.add(['tasks'], 'is required: a flow needs at least one task');
  else if (Array.isArray(raw.tasks) && raw.tasks.length === 0)
    issues.add(['tasks'], 'must not be empty: a flow needs at least one task');
  const tasks = parseTaskList(raw.tasks, ['tasks'], ctx);
  const errors = parseTaskList(raw.errors, ['errors'], ctx);
  const fin = parseTaskList(raw.finally, ['finally'], ctx);
  const afterExecution = parseTaskList(raw.afterExecution, ['afterExecution'], ctx);
  const triggers = parseTriggers(raw.triggers, ['triggers'], issues, pluginDefaults);
  const checks = parseChecks(raw.checks, ['checks'], issues);
  const inputs = parseInputs(raw.inputs, ['inputs'], issues);
  const outputs = parseOutputs(raw.outputs, ['outputs'], issues);
  const labels = parseLabels(raw.labels, ['labels'], issues);
  const retry = raw.retry === undefined ? undefined : parseRetry(raw.retry, ['retry'], issues);
  let concurrency: Concurrency | undefined;
  if (raw.concurrency !== undefined) {
    const r = CONCURRENCY.safeParse(raw.concurrency, { error: zodMessage });
    if (r.success) concurrency = { limit: r.data.limit, behavior: r.data.behavior ?? 'QUEUE' };
    else issues.addZod(['concurrency'], r.error.issues);
  }
  if (issues.issues.length > 0 || !scalars.success) return { ok: false, issues: issues.sorted() };

  const s = scalars.data;
  const flow: Flow = {
    id: raw.id as string,
    namespace: raw.namespace as string,
    revision: s.revision ?? 1,
    labels,
    inputs,
    variables: s.variables ?? {},
    tasks,
    errors,
    finally: fin,
    afterExecution,
    triggers,
    outputs,
    disabled: s.disabled ?? false,
    pluginDefaults,
  };
  if (s.description !== undefined) flow.description = s.description;
  if (concurrency) flow.concurrency = concurrency;
  if (retry) flow.retry = retry;
  if (raw.sla !== undefined) flow.sla = raw.sla;
  if (checks.length > 0) flow.checks = checks;
  return { ok: true, flow };
}

/**
 * Parses Kestra flow YAML into the normalised `Flow`, reporting every issue
 * together, each with its YAML path, line and column. Hostile documents are
 * issues too, naming the limit (`limits.ts`): nesting deeper than
 * `maxNestingDepth` (checked before composing) and alias bombs.
 *
 * @example
 * const r = parseFlow('id: hello\nnamespace: company.team\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n');
 * if (r.ok) r.flow.tasks[0]?.props.message; // 'hi'
 * else r.issues.map(formatIssue); // ['tasks[0].type: unknown task type ... (line 5, column 5)']
 */
export function parseFlow(source: string, dialect: KestraVersion = instanceDialect()): ParseResult {
  const tooDeep = yamlNestingIssue(source, new LineCounter());
  if (tooDeep) return { ok: false, issues: [tooDeep] };
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(source, { lineCounter, prettyErrors: false });
  if (!Array.isArray(docs) || docs.length <= 1) {
    const lc = new LineCounter();
    return parseFlowDocument(parseDocument(source, { lineCounter: lc, prettyErrors: false }), lc, dialect);
  }
  const second = docs[1]!;
  const pos = lineCounter.linePos(second.range[0]);
  return {
    ok: false,
    issues: [
      {
        path: '',
        message: 'expected one flow, found several YAML documents (---)',
        line: pos.line,
        column: pos.col,
      },
    ],
  };
}
