import { useEffect, useRef, useState } from 'preact/hooks';
import type { Client } from '../api';
import type { GatewayStatus, MetricsSummary } from '../types';
import { Alert, Section, useLoad, when } from '../ui';
import { BarChart } from './charts';

/** Gateway status (runtime, running count, held requests) and charts of its own metrics, refreshed every 5 s. */
export function GatewayPanel({ api }: { api: Client }) {
  const status = useLoad(() => api.get<GatewayStatus>('/v1/status'), [], 5000);
  const metrics = useLoad(() => api.get<MetricsSummary>('/metrics'), [], 5000);
  // Requests proxied per 5 s interval, over the last few minutes this page has been open.
  const last = useRef<number | undefined>(undefined);
  const [rates, setRates] = useState<number[]>([]);
  useEffect(() => {
    if (!metrics.data) return;
    const total = Object.values(metrics.data.proxied).reduce((n, p) => n + p.total, 0);
    if (last.current !== undefined) setRates((r) => [...r, total - (last.current ?? 0)].slice(-36));
    last.current = total;
  }, [metrics.data]);
  const s = status.data;
  const m = metrics.data;
  const buckets = (m?.coldStart.buckets ?? []).map((b, i, all) => ({
    label: `≤ ${b.le} s`,
    value: b.count - (i > 0 ? (all[i - 1]?.count ?? 0) : 0),
  }));
  return (
    <Section title="Gateway">
      <Alert error={status.error ?? metrics.error} />
      <div class="kpis">
        <div class="kpi">
          Runtime<b>{s?.runtime ?? '—'}</b>
        </div>
        <div class="kpi">
          Running instances<b>{m?.runningInstances ?? '—'}</b>
        </div>
        <div class="kpi">
          Paused instances<b>{m?.pausedInstances ?? '—'}</b>
        </div>
        <div class="kpi">
          Held requests<b>{m?.heldRequests ?? '—'}</b>
        </div>
        <div class="kpi">
          Tenants<b>{s?.tenants ?? '—'}</b>
        </div>
        <div class="kpi">
          Cold starts<b>{m?.coldStart.count ?? '—'}</b>
        </div>
        <div class="kpi">
          Mean cold start
          <b>
            {m && m.coldStart.count > 0
              ? `${((m.coldStart.sumSeconds / m.coldStart.count) * 1000).toFixed(0)} ms`
              : '—'}
          </b>
        </div>
      </div>
      <p class="muted">{s ? `${s.runtimeReason} · up since ${when(s.startedAt)}` : ''}</p>
      <div class="charts">
        <BarChart title="Cold-start durations" bars={buckets} />
        <BarChart
          title="Proxied requests by tenant"
          bars={Object.entries(m?.proxied ?? {}).map(([tenant, p]) => ({
            label: `${tenant}${p.errors > 0 ? ` (${p.errors} 5xx)` : ''}`,
            value: p.total,
          }))}
        />
        <BarChart
          title="Proxied requests per 5 s"
          bars={rates.map((v, i) => ({
            label: i === rates.length - 1 ? 'now' : `${(rates.length - 1 - i) * 5} s ago`,
            value: v,
          }))}
        />
      </div>
    </Section>
  );
}
