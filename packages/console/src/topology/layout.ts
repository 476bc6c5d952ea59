import type { FlowGraph, GraphEdge, GraphNode } from './flow-graph';

export type Layout = {
  width: number;
  height: number;
  nodes: (GraphNode & { x: number; y: number; width: number; height: number })[];
  edges: (GraphEdge & { points: { x: number; y: number }[] })[];
};

/**
 * Lays a flow graph out left to right with dagre (imported on demand, so the
 * first page does not carry it). Node boxes are sized from their labels.
 *
 * @example
 * const layout = await layoutGraph(flowGraph(flow));
 */
export async function layoutGraph(graph: FlowGraph): Promise<Layout> {
  const { default: dagre } = await import('@dagrejs/dagre');
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 36, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) {
    const width = n.kind === 'start' || n.kind === 'end' ? 54 : Math.min(22, n.label.length) * 7.2 + 24;
    g.setNode(n.id, { width, height: 30 });
  }
  for (const e of graph.edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const info = g.graph();
  return {
    width: Math.ceil(info.width ?? 100),
    height: Math.ceil(info.height ?? 60),
    nodes: graph.nodes.map((n) => {
      const p = g.node(n.id);
      return { ...n, x: p.x, y: p.y, width: p.width, height: p.height };
    }),
    edges: graph.edges.map((e) => ({
      ...e,
      points: (g.edge(e.from, e.to)?.points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })),
    })),
  };
}
