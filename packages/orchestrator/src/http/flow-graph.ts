import { childLists, isFlowable } from '../executor/task-index.js';
import type { Flow, Task } from '../flow/flow-model.js';
import type { Execution } from '../model/execution.js';
import { taskRunJson } from '../model/execution-json.js';

const H = 'io.kestra.core.models.hierarchies';
type Relation = 'SEQUENTIAL' | 'CHOICE' | 'ERROR' | 'FINALLY' | 'AFTER_EXECUTION' | 'PARALLEL' | 'DYNAMIC';
type BranchType = 'ERROR' | 'FINALLY' | 'AFTER_EXECUTION';
type Node = Record<string, unknown> & { uid: string; type: string };
type Edge = { source: string; target: string; relation: { relationType: Relation; value?: string } };
type Cluster = { cluster: Node; nodes: string[]; parents: string[]; start: string; end: string };

/** Kestra's `FlowGraph`: the nodes, edges and clusters a console draws. */
export type FlowGraphJson = { nodes: Node[]; edges: Edge[]; clusters: Cluster[]; flowables: string[] };

const PARALLEL_TYPES = new Set([
  'io.kestra.plugin.core.flow.Parallel',
  'io.kestra.plugin.core.flow.EachParallel',
  'io.kestra.plugin.core.flow.Dag',
]);
const DYNAMIC_TYPES = new Set([
  'io.kestra.plugin.core.flow.ForEach',
  'io.kestra.plugin.core.flow.EachSequential',
  'io.kestra.plugin.core.flow.EachParallel',
  'io.kestra.plugin.core.flow.LoopUntil',
]);

/**
 * The graph of a flow in Kestra's `FlowGraph` shape (`GraphUtils.of`): a
 * `root.root` → tasks → `root.end` chain; each flowable task is a cluster
 * (its own `.root`/`.end`, the task node, its branches: CHOICE for
 * If/Switch, PARALLEL for Parallel/EachParallel/Dag, DYNAMIC for loops,
 * ERROR/FINALLY for `errors`/`finally`); triggers in a `root.Triggers`
 * cluster leading to `root.root`. With an execution, each task node carries
 * the `taskRun` of that task (the last one, for loops) and the `executionId`.
 *
 * @example
 * c.json(flowGraph(record.flow)); // { nodes: [{ uid: 'root.root', ... }], edges: [...], clusters: [...] }
 */
export function flowGraph(flow: Flow, execution?: Execution): FlowGraphJson {
  const g: FlowGraphJson = { nodes: [], edges: [], clusters: [], flowables: [] };
  const now = new Date();
  const runOf = (taskId: string) => execution?.taskRunList.filter((t) => t.taskId === taskId).at(-1);
  const edge = (source: string, target: string, relationType: Relation, value?: string) =>
    g.edges.push({
      source,
      target,
      relation: value === undefined ? { relationType } : { relationType, value },
    });

  const taskNode = (task: Task, uid: string, relation: Relation, branch?: BranchType): Node => {
    const run = runOf(task.id);
    const node: Node = {
      uid,
      type: `${H}.GraphTask`,
      task: { id: task.id, type: task.type },
      relationType: relation,
      ...(branch ? { branchType: branch } : {}),
      ...(execution ? { executionId: execution.id } : {}),
      ...(run ? { taskRun: taskRunJson(run, now) } : {}),
    };
    g.nodes.push(node);
    return node;
  };

  /** Draws one task between `from` and `to`; returns nothing (edges are added). */
  const one = (task: Task, prefix: string, parents: string[], relation: Relation, branch?: BranchType) => {
    if (!isFlowable(task.type) || task.type === 'io.kestra.plugin.core.flow.Pause') {
      return {
        start: taskNode(task, `${prefix}${task.id}`, relation, branch).uid,
        end: `${prefix}${task.id}`,
      };
    }
    const uid = `${prefix}cluster_${task.id}`;
    const root = `${uid}.root`;
    const end = `${uid}.end`;
    const before = g.nodes.length;
    g.nodes.push({ uid: root, type: `${H}.GraphClusterRoot` }, { uid: end, type: `${H}.GraphClusterEnd` });
    const self = taskNode(task, `${uid}.${task.id}`, relation, branch).uid;
    g.flowables.push(task.id);
    edge(root, self, 'SEQUENTIAL');
    const inner = [...parents, uid];
    const childPrefix = `${uid}.`;
    const p = task.props;
    const chainFrom = (tasks: Task[], rel: Relation, value?: string, b?: BranchType) =>
      chain(tasks, childPrefix, inner, self, end, rel, value, b);
    if (task.type === 'io.kestra.plugin.core.flow.If') {
      chainFrom(asTasks(p.then), 'CHOICE', 'then');
      chainFrom(asTasks(p.else), 'CHOICE', 'else');
    } else if (task.type === 'io.kestra.plugin.core.flow.Switch') {
      for (const [key, list] of Object.entries(isMap(p.cases) ? p.cases : {}))
        chainFrom(asTasks(list), 'CHOICE', key);
      chainFrom(asTasks(p.defaults), 'CHOICE', 'defaults');
    } else if (task.type === 'io.kestra.plugin.core.flow.Dag') {
      dag(p.tasks, childPrefix, inner, self, end);
    } else {
      const rel: Relation = PARALLEL_TYPES.has(task.type)
        ? 'PARALLEL'
        : DYNAMIC_TYPES.has(task.type)
          ? 'DYNAMIC'
          : 'SEQUENTIAL';
      const tasks = childLists(task).find((l) => l.branch === 'tasks')?.tasks ?? [];
      if (rel === 'PARALLEL') for (const t of tasks) chainFrom([t], rel);
      else chainFrom(tasks, rel);
    }
    chainFrom(task.errors ?? [], 'ERROR', undefined, 'ERROR');
    chainFrom(task.finally ?? [], 'FINALLY', undefined, 'FINALLY');
    g.clusters.push({
      cluster: {
        uid,
        type: `${H}.GraphCluster`,
        task: { id: task.id, type: task.type },
        relationType: relation,
      },
      nodes: g.nodes.slice(before).map((n) => n.uid),
      parents,
      start: root,
      end,
    });
    return { start: root, end };
  };

  /** A sequence of tasks from `from` to `to` (nothing drawn for an empty list). */
  const chain = (
    tasks: Task[],
    prefix: string,
    parents: string[],
    from: string,
    to: string,
    relation: Relation,
    value?: string,
    branch?: BranchType,
  ) => {
    let previous = from;
    let first = true;
    for (const t of tasks.filter((x) => !x.disabled)) {
      const drawn = one(t, prefix, parents, relation, branch);
      edge(previous, drawn.start, first ? relation : 'SEQUENTIAL', first ? value : undefined);
      previous = drawn.end;
      first = false;
    }
    if (!first) edge(previous, to, 'SEQUENTIAL');
  };

  const dag = (raw: unknown, prefix: string, parents: string[], from: string, to: string) => {
    const items = (Array.isArray(raw) ? raw : []) as Array<{ task: Task; dependsOn?: string[] }>;
    const drawn = new Map(items.map((d) => [d.task.id, one(d.task, prefix, parents, 'PARALLEL')]));
    const dependedOn = new Set(items.flatMap((d) => d.dependsOn ?? []));
    for (const d of items) {
      const me = drawn.get(d.task.id)!;
      const deps = (d.dependsOn ?? []).filter((id) => drawn.has(id));
      if (deps.length === 0) edge(from, me.start, 'PARALLEL');
      for (const dep of deps) edge(drawn.get(dep)!.end, me.start, 'SEQUENTIAL');
      if (!dependedOn.has(d.task.id)) edge(me.end, to, 'SEQUENTIAL');
    }
  };

  g.nodes.push(
    { uid: 'root.root', type: `${H}.GraphClusterRoot` },
    { uid: 'root.end', type: `${H}.GraphClusterEnd` },
  );
  if (flow.triggers.length > 0) {
    const uid = 'root.Triggers';
    const nodes = flow.triggers.map((t) => {
      const node: Node = {
        uid: `${uid}.${t.id}`,
        type: `${H}.GraphTrigger`,
        trigger: { id: t.id, type: t.type },
      };
      g.nodes.push(node);
      edge(node.uid, 'root.root', 'SEQUENTIAL');
      return node.uid;
    });
    g.clusters.push({
      cluster: { uid, type: `${H}.GraphCluster` },
      nodes,
      parents: [],
      start: nodes[0]!,
      end: 'root.root',
    });
  }
  chain(flow.tasks, 'root.', [], 'root.root', 'root.end', 'SEQUENTIAL');
  chain(flow.errors, 'root.', [], 'root.root', 'root.end', 'ERROR', undefined, 'ERROR');
  chain(flow.finally, 'root.', [], 'root.root', 'root.end', 'FINALLY', undefined, 'FINALLY');
  chain(
    flow.afterExecution,
    'root.',
    [],
    'root.root',
    'root.end',
    'AFTER_EXECUTION',
    undefined,
    'AFTER_EXECUTION',
  );
  return g;
}

const asTasks = (v: unknown): Task[] => (Array.isArray(v) ? (v as Task[]) : []);
const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
