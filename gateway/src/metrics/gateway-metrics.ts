import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics, on a registry of their own (several
 * gateways can live in one test process). Served at `GET /metrics`.
 *
 * @example
 * const metrics = createGatewayMetrics();
 * metrics.coldStarts.inc({ tenant: 'acme' });
 */
export function createGatewayMetrics() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    runningInstances: new Gauge({
      name: 'silo_running_instances',
      help: 'Instances in state running or draining',
      registers,
    }),
    coldStarts: new Counter({
      name: 'silo_cold_starts_total',
      help: 'Cold starts by tenant and outcome',
      labelNames: ['tenant', 'outcome', 'reason'] as const,
      registers,
    }),
    coldStartSeconds: new Histogram({
      name: 'silo_cold_start_duration_seconds',
      help: 'Cold start duration by phase: spawn (driver start), ready (until /readyz answers 200), total',
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
    proxiedRequests: new Counter({
      name: 'silo_proxied_requests_total',
      help: 'Requests proxied to instances, by tenant and status',
      labelNames: ['tenant', 'status'] as const,
      registers,
    }),
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
    breakerTrips: new Counter({
      name: 'silo_breaker_trips_total',
      help: 'Instances put in back-off (state failing) after a failed start or a crash',
      labelNames: ['tenant'] as const,
      registers,
    }),
    adoptions: new Counter({
      name: 'silo_adopted_instances_total',
      help: 'Running instances adopted after a gateway restart',
      registers,
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
