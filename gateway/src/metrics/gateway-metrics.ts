import { Counter, Gauge, Histogram, type LabelValues, Registry } from 'prom-client';

export type GatewayMetricsOptions = {
  /** SILO_METRICS_PER_TENANT: label series by tenant id. Off, `/metrics` names no tenant. @default false */
  perTenant?: boolean;
};

/**
 * A counter with a `tenant` label that keeps that label only when the
 * operator opted in: otherwise every increment drops it, so the series are
 * totals over all tenants and `/metrics` lists no tenant id (issue 12 §6).
 * Callers stay the same either way. Wrapping `inc` covers `labels({...}).inc()`
 * too: prom-client's `labels` binds `this.inc`.
 */
function tenantCounter<T extends string>(counter: Counter<T | 'tenant'>, perTenant: boolean) {
  if (perTenant) return counter;
  const inc = counter.inc.bind(counter) as (labels?: LabelValues<string>, value?: number) => void;
  counter.inc = ((labels?: LabelValues<string> | number, value?: number) => {
    if (typeof labels !== 'object') return inc({}, labels);
    const { tenant: _dropped, ...rest } = labels;
    return inc(rest, value);
  }) as typeof counter.inc;
  return counter;
}

/**
 * The gateway's Prometheus metrics, on a registry of their own (several
 * gateways can live in one test process). Served at `GET /metrics` (admin or
 * metrics token). Per-tenant series only with `perTenant`.
 *
 * @example
 * const metrics = createGatewayMetrics({ perTenant: false });
 * metrics.coldStarts.inc({ tenant: 'acme', outcome: 'ready', reason: 'request' });
 */
export function createGatewayMetrics(options: GatewayMetricsOptions = {}) {
  const perTenant = options.perTenant ?? false;
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    runningInstances: new Gauge({
      name: 'silo_running_instances',
      help: 'Instances in state running or draining',
      registers,
    }),
    pausedInstances: new Gauge({
      name: 'silo_paused_instances',
      help: 'Instances in state paused (frozen: memory kept, no CPU)',
      registers,
    }),
    pauses: new Counter({
      name: 'silo_pauses_total',
      help: 'Idle instances frozen (state paused) after SILO_PAUSE_AFTER',
      registers,
    }),
    resumes: new Counter({
      name: 'silo_resumes_total',
      help: 'Paused instances resumed, by reason (request, wake, stop, evict)',
      labelNames: ['reason'] as const,
      registers,
    }),
    resumeSeconds: new Histogram({
      name: 'silo_resume_duration_seconds',
      help: 'Time to unfreeze a paused instance (the driver call)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    coldStarts: tenantCounter(
      new Counter({
        name: 'silo_cold_starts_total',
        help: 'Cold starts by outcome and reason (and tenant, with SILO_METRICS_PER_TENANT=1)',
        labelNames: ['tenant', 'outcome', 'reason'] as const,
        registers,
      }),
      perTenant,
    ),
    coldStartSeconds: new Histogram({
      name: 'silo_cold_start_duration_seconds',
      help: 'Cold start duration by phase: spawn (registry reads, eviction, gate and driver start), gate (waiting for a start slot, SILO_START_CONCURRENCY), driver (the driver start call), ready (until /readyz answers 200), total',
      labelNames: ['phase'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    heldRequests: new Gauge({
      name: 'silo_held_requests',
      help: 'Requests waiting for a cold start to finish',
      registers,
    }),
    heldRejected: new Counter({
      name: 'silo_held_rejected_total',
      help: 'Held requests answered 503 (hold queue full or start timeout)',
      labelNames: ['reason'] as const,
      registers,
    }),
    proxiedRequests: tenantCounter(
      new Counter({
        name: 'silo_proxied_requests_total',
        help: 'Requests proxied to instances, by status (and tenant, with SILO_METRICS_PER_TENANT=1)',
        labelNames: ['tenant', 'status'] as const,
        registers,
      }),
      perTenant,
    ),
    idleStops: new Counter({
      name: 'silo_idle_stops_total',
      help: 'Instances stopped after idling',
      registers,
    }),
    drainsCancelled: new Counter({
      name: 'silo_drains_cancelled_total',
      help: 'Idle stops cancelled by traffic or work during the drain',
      registers,
    }),
    wakeUps: new Counter({
      name: 'silo_wake_ups_total',
      help: 'Instances started by a wake timer, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    evictions: new Counter({
      name: 'silo_evictions_total',
      help: 'Idle instances stopped to respect SILO_MAX_RUNNING',
      registers,
    }),
    breakerTrips: tenantCounter(
      new Counter({
        name: 'silo_breaker_trips_total',
        help: 'Instances put in back-off (state failing) after a failed start or a crash (by tenant, with SILO_METRICS_PER_TENANT=1)',
        labelNames: ['tenant'] as const,
        registers,
      }),
      perTenant,
    ),
    adoptions: new Counter({
      name: 'silo_adopted_instances_total',
      help: 'Running instances adopted after a gateway restart',
      registers,
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
