/**
 * `SILO_SCOPE` (DESIGN.md, "Settings added"): the namespace of everything one
 * gateway creates in a Docker engine it may share with other gateways. The
 * scope is in every name (container, volume, network) and in the `silo.scope`
 * label; `list`, `reconcile` and the event stream see only containers of
 * their own scope, so two gateways on one engine never adopt, reconcile away
 * or hear about each other's containers, even for tenants of the same id.
 *
 * The default scope `default` keeps the names Silo used before scopes
 * existed (`silo-<id>`, `silo-<id>-data`, `silo-<id>-net`), so an existing
 * install keeps its containers and volumes; a container without a
 * `silo.scope` label (made before) belongs to it. Any other scope `s` names
 * `silo-s_<id>`: tenant ids and scopes never contain `_`, so no name of one
 * scope can equal a name of another.
 */

/** The scope of a gateway that sets none. */
export const DEFAULT_SCOPE = 'default';

/** A DNS-label-like word of up to 32 characters, without `_` (the separator in names). */
export const SCOPE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** Label keys on everything Silo creates; `reconcile` and `events` find containers by them. */
export const LABELS = {
  managed: 'silo.managed',
  tenant: 'silo.tenant',
  version: 'silo.version',
  scope: 'silo.scope',
  /** Which runtime made it: `docker` (absent on what the Docker driver made before the label), `swarm`. */
  runtime: 'silo.runtime',
} as const;

/** The label the engine puts on a swarm task's container. */
const SWARM_TASK_LABEL = 'com.docker.swarm.task.id';

/** Throws a message naming the setting when `scope` cannot be part of Docker names. */
export function checkScope(scope: string): string {
  if (!SCOPE_PATTERN.test(scope)) {
    throw new Error(
      `invalid SILO_SCOPE "${scope}": 1-32 lowercase letters, digits and inner hyphens (e.g. "blue", "ci-42")`,
    );
  }
  return scope;
}

/** `silo-<id>` in the default scope, `silo-<scope>_<id>` in any other. */
function prefix(scope: string, tenantId: string): string {
  return scope === DEFAULT_SCOPE ? `silo-${tenantId}` : `silo-${scope}_${tenantId}`;
}

export const containerName = (tenantId: string, scope = DEFAULT_SCOPE) => prefix(scope, tenantId);
export const volumeName = (tenantId: string, scope = DEFAULT_SCOPE) => `${prefix(scope, tenantId)}-data`;
export const networkName = (tenantId: string, scope = DEFAULT_SCOPE) => `${prefix(scope, tenantId)}-net`;

/** The labels of one tenant's container, volume and network. */
export function scopedLabels(
  tenantId: string,
  version: string,
  scope = DEFAULT_SCOPE,
): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.tenant]: tenantId,
    [LABELS.version]: version,
    [LABELS.scope]: scope,
  };
}

/**
 * Whether a container with these labels belongs to `scope` (and carries every
 * `extra` label): a container without `silo.scope` belongs to the default scope.
 *
 * @example
 * ownedBy({ 'silo.managed': 'true', 'silo.tenant': 'acme' }, 'default'); // true (made before scopes)
 * ownedBy({ 'silo.managed': 'true', 'silo.scope': 'blue' }, 'default'); // false
 */
export function ownedBy(
  labels: Record<string, string> | undefined,
  scope: string,
  extra: Record<string, string> = {},
): boolean {
  const l = labels ?? {};
  if (l[LABELS.managed] !== 'true') return false;
  if ((l[LABELS.scope] ?? DEFAULT_SCOPE) !== scope) return false;
  return Object.entries(extra).every(([k, v]) => l[k] === v);
}

/**
 * Whether a container is the Docker driver's own in `scope`: `ownedBy`, and
 * made by the Docker runtime (`silo.runtime` absent or `docker`), not a swarm
 * task, so that the Docker driver never adopts, stops or removes what the
 * Swarm runtime (or anything else with Silo's name and labels) runs.
 *
 * @example
 * ownedByDocker({ 'silo.managed': 'true', 'silo.runtime': 'swarm' }, 'default'); // false
 */
export function ownedByDocker(
  labels: Record<string, string> | undefined,
  scope: string,
  extra: Record<string, string> = {},
): boolean {
  const l = labels ?? {};
  if ((l[LABELS.runtime] ?? 'docker') !== 'docker' || l[SWARM_TASK_LABEL] !== undefined) return false;
  return ownedBy(l, scope, extra);
}

/**
 * The engine-side label filters (`key=value`) of a scope, beside
 * `silo.managed=true`: what the engine can narrow by itself. The default
 * scope cannot ask for "no `silo.scope` label", so callers also check
 * `ownedBy` on what comes back.
 */
export function scopeFilters(scope: string, extra: Record<string, string> = {}): string[] {
  return [
    ...(scope === DEFAULT_SCOPE ? [] : [`${LABELS.scope}=${scope}`]),
    ...Object.entries(extra).map(([k, v]) => `${k}=${v}`),
  ];
}
