import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** What the operator dashboard charts, read from the gateway's own Prometheus registry. */
export type MetricsSummary = {
  at: string;
  runningInstances: number;
  /** Instances frozen in the paused tier (memory kept, no CPU). */
  pausedInstances: number;
  heldRequests: number;
  /** Cold-start durations (phase `total`): cumulative counts per upper bound in seconds. */
  coldStart: { buckets: { le: number; count: number }[]; count: number; sumSeconds: number };
  coldStartsByTenant: Record<string, number>;
  /** Proxied requests by tenant, all statuses together, and the error share (5xx). */
  proxied: Record<string, { total: number; errors: number }>;
};

type Metric = MetricObjectWithValues<MetricValue<string>>;

/**
 * Condenses the gateway registry's JSON (prom-client `getMetricsAsJSON`) into
 * the few numbers the dashboard draws, so the page never parses the text format.
 *
 * @example
 * metricsSummary(await metrics.registry.getMetricsAsJSON());
 */
export function metricsSummary(metrics: Metric[]): MetricsSummary {
  const find = (name: string) => metrics.find((m) => m.name === name)?.values ?? [];
  const one = (name: string) => find(name).reduce((n, v) => n + v.value, 0);
  const summary: MetricsSummary = {
    at: new Date().toISOString(),
    runningInstances: one('silo_running_instances'),
    pausedInstances: one('silo_paused_instances'),
    heldRequests: one('silo_held_requests'),
    coldStart: { buckets: [], count: 0, sumSeconds: 0 },
    coldStartsByTenant: {},
    proxied: {},
  };
  for (const v of find('silo_cold_start_duration_seconds')) {
    if (v.labels.phase !== 'total') continue;
    const name = (v as { metricName?: string }).metricName ?? '';
    if (name.endsWith('_bucket') && v.labels.le !== '+Inf')
      summary.coldStart.buckets.push({ le: Number(v.labels.le), count: v.value });
    else if (name.endsWith('_count')) summary.coldStart.count = v.value;
    else if (name.endsWith('_sum')) summary.coldStart.sumSeconds = v.value;
  }
  for (const v of find('silo_cold_starts_total')) {
    const tenant = String(v.labels.tenant ?? '');
    summary.coldStartsByTenant[tenant] = (summary.coldStartsByTenant[tenant] ?? 0) + v.value;
  }
  for (const v of find('silo_proxied_requests_total')) {
    const tenant = String(v.labels.tenant ?? '');
    const entry = summary.proxied[tenant] ?? { total: 0, errors: 0 };
    summary.proxied[tenant] = entry;
    entry.total += v.value;
    if (String(v.labels.status).startsWith('5')) entry.errors += v.value;
  }
  return summary;
}
