import { useEffect, useState } from 'preact/hooks';
import type { Flow } from '../types';
import { stateClass } from '../ui';
import { flowGraph } from './flow-graph';
import { type Layout, layoutGraph } from './layout';

/**
 * The flow's topology drawn as SVG, laid out by dagre (loaded on demand), each
 * task coloured by `states[taskId]` when given (the execution page).
 */
export function TopologyView({ flow, states }: { flow: Flow; states?: Record<string, string> }) {
  const [layout, setLayout] = useState<Layout | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    layoutGraph(flowGraph(flow)).then(setLayout, setError);
  }, [flow]);
  if (error) return <p role="alert">Topology: {String(error)}</p>;
  if (!layout) return <p class="muted">Laying out…</p>;
  return (
    <figure style="margin: 0">
      <figcaption class="sr-only">
        Topology of {flow.namespace}.{flow.id}
      </figcaption>
      <svg
        class="topology"
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        height={layout.height}
      >
        <title>{`Topology of ${flow.namespace}.${flow.id}`}</title>
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" fill="#7a8294" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <g key={`${e.from}-${e.to}`}>
            <polyline
              points={e.points.map((p) => `${p.x},${p.y}`).join(' ')}
              fill="none"
              stroke={e.kind === 'error' ? '#c33131' : '#7a8294'}
              stroke-dasharray={e.kind === 'error' ? '5 3' : undefined}
              marker-end="url(#arrow)"
            />
            {e.label && e.points[1] ? (
              <text x={e.points[1].x + 4} y={e.points[1].y - 4} class="muted">
                {e.label}
              </text>
            ) : null}
          </g>
        ))}
        {layout.nodes.map((n) => {
          const state = states?.[n.id];
          const fill = state
            ? `var(--${stateClass(state)})`
            : n.kind === 'error'
              ? '#fde8e8'
              : n.kind === 'flowable'
                ? '#e8eefc'
                : '#fff';
          const shape = n.kind === 'start' || n.kind === 'end';
          return (
            <g key={n.id}>
              <title>{`${n.label}${n.type ? ` (${n.type})` : ''}${state ? ` — ${state}` : ''}`}</title>
              <rect
                x={n.x - n.width / 2}
                y={n.y - n.height / 2}
                width={n.width}
                height={n.height}
                rx={shape ? n.height / 2 : 6}
                fill={fill}
                stroke={n.kind === 'error' ? '#c33131' : '#5b6475'}
              />
              <text x={n.x} y={n.y + 4} text-anchor="middle" fill={state ? '#fff' : undefined}>
                {n.label.length > 22 ? `${n.label.slice(0, 21)}…` : n.label}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
