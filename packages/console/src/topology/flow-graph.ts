import type { Flow, Task } from '../types';

export type NodeKind = 'start' | 'end' | 'task' | 'flowable' | 'error';
export type GraphNode = { id: string; label: string; kind: NodeKind; type?: string };
export type GraphEdge = { from: string; to: string; label?: string; kind: 'next' | 'error' };
export type FlowGraph = { nodes: GraphNode[]; edges: GraphEdge[] };

const isFlowable = (t: Task) =>
  Array.isArray(t.tasks) || Array.isArray(t.then) || Array.isArray(t.else) || t.cases !== undefined;
const isParallel = (t: Task) => /\.(Parallel|ForEach|EachParallel)$/.test(t.type) && t.concurrencyLimit !== 1;

/**
 * The topology of a flow as written: a start node, each task chained to the
 * next, flowables opened into their branches (`then`/`else`, Switch `cases`,
 * `tasks` — fanned out for Parallel), `errors` branches hung off the flow's
 * start and off each task that has them, `finally` before the end. Built from
 * the flow's JSON on the client until the orchestrator serves
 * `/flows/{ns}/{id}/graph`.
 *
 * @example
 * flowGraph({ id: 'f', namespace: 'n', revision: 1, tasks: [{ id: 'a', type: 'Log' }] });
 * // nodes: start, a, end; edges: start→a, a→end
 */
export function flowGraph(flow: Flow): FlowGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const node = (n: GraphNode) => {
    if (!seen.has(n.id)) {
      seen.add(n.id);
      nodes.push(n);
    }
  };
  const sequence = (
    tasks: Task[],
    preds: string[],
    label?: string,
    kind: 'next' | 'error' = 'next',
  ): string[] => {
    let current = preds;
    tasks.forEach((t, i) => {
      current = task(t, current, i === 0 ? label : undefined, kind);
    });
    return current;
  };
  const task = (t: Task, preds: string[], label: string | undefined, kind: 'next' | 'error'): string[] => {
    node({
      id: t.id,
      label: t.id,
      kind: kind === 'error' ? 'error' : isFlowable(t) ? 'flowable' : 'task',
      type: t.type,
    });
    for (const p of preds) edges.push({ from: p, to: t.id, kind, ...(label ? { label } : {}) });
    const branches: [string | undefined, Task[]][] = [];
    if (Array.isArray(t.then)) branches.push(['then', t.then]);
    if (Array.isArray(t.else)) branches.push(['else', t.else]);
    if (t.cases && typeof t.cases === 'object')
      for (const [k, v] of Object.entries(t.cases)) if (Array.isArray(v)) branches.push([k, v]);
    if (Array.isArray(t.defaults)) branches.push(['defaults', t.defaults]);
    if (Array.isArray(t.tasks)) {
      if (isParallel(t)) for (const child of t.tasks) branches.push([undefined, [child]]);
      else branches.push([undefined, t.tasks]);
    }
    if (Array.isArray(t.errors) && t.errors.length > 0) sequence(t.errors, [t.id], 'errors', 'error');
    if (branches.length === 0) return [t.id];
    return branches.flatMap(([l, ts]) => (ts.length === 0 ? [t.id] : sequence(ts, [t.id], l, kind)));
  };
  node({ id: '__start', label: 'start', kind: 'start' });
  let exits = sequence(flow.tasks ?? [], ['__start']);
  if (flow.finally && flow.finally.length > 0) exits = sequence(flow.finally, exits, 'finally');
  node({ id: '__end', label: 'end', kind: 'end' });
  for (const e of exits) edges.push({ from: e, to: '__end', kind: 'next' });
  if (flow.errors && flow.errors.length > 0) sequence(flow.errors, ['__start'], 'errors', 'error');
  return { nodes, edges };
}
