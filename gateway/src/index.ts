/**
 * The public API of `@silo/gateway`: an explicit list (STYLE.md rule 12, no
 * `export *`). Other workspaces (the e2e tests, the benchmarks) import only
 * these names; the test-only driver contract is in `@silo/gateway/testing`.
 */
export type { TenantAccess } from './auth/tenant-auth.js';
export { authorizeTenantRequest } from './auth/tenant-auth.js';
export type { CliIo } from './cli/program.js';
export { buildProgram } from './cli/program.js';
export type { GatewayConfig } from './config.js';
export { loadGatewayConfig } from './config.js';
export { DEMO_FLOW_YAML } from './first-run/demo-tenant.js';
export type { CreateGatewayOptions, Gateway } from './gateway.js';
export { createGateway } from './gateway.js';
// The proxy path's steps, measured one by one in bench/proxy-layers.mjs.
export { RateLimiter } from './http/rate-limiter.js';
export { requestIdOf } from './http/request-id.js';
export {
  ensureOfflineBase,
  ensureOrchestratorImage,
  type OrchestratorImage,
  SILO_USER,
  type TarEntry,
  tarStream,
} from './images/index.js';
export type { InstanceState } from './lifecycle/instance-state.js';
export { wakeLeadOf } from './lifecycle/wake-lead.js';
export { createGatewayLogger } from './logger.js';
export { createGatewayMetrics } from './metrics/gateway-metrics.js';
export type { Change, GuardedChangeDeps, GuardedResult } from './operations/guarded-change.js';
export { GuardedChanges } from './operations/guarded-change.js';
export { SmokeCheckError, smokeCheck } from './operations/smoke-check.js';
export {
  forwardHeaderList,
  HOP_BY_HOP,
  prepareForwardHeaders,
  responseHeaderList,
} from './proxy/forward-headers.js';
export type { TenantPath } from './proxy/tenant-path.js';
export { parseTenantPath } from './proxy/tenant-path.js';
export {
  DockerDriver,
  type DockerDriverOptions,
  type DockerEventMap,
  DockerReconciler,
  demuxLogs,
  isFrozen,
  resolveFreezer,
  thaw,
} from './runtime/docker/index.js';
export {
  ORCHESTRATOR_BUNDLE,
  ORCHESTRATOR_MAIN,
  orchestratorCommand,
  orchestratorEntry,
} from './runtime/process/orchestrator-entry.js';
export type { ProcessDriverOptions } from './runtime/process/process-driver.js';
export { ProcessDriver } from './runtime/process/process-driver.js';
export type {
  Endpoint,
  InstanceStatus,
  RuntimeDriver,
  RuntimeEvent,
  StartRequest,
  TenantLimits,
} from './runtime/runtime-driver.js';
export { SwarmDriver, type SwarmDriverOptions } from './runtime/swarm/index.js';
export type { SecretEntry, SecretStore, SecretValueCipher } from './secrets/secret-store.js';
export type { ApiKey, ApiKeyStore } from './tenants/api-key-store.js';
export type { InstanceFactStore, InstanceFacts, InstanceFactsPatch } from './tenants/instance-fact-store.js';
export type { PostgresRegistry, PostgresRegistryOptions } from './tenants/postgres/open-postgres-registry.js';
export { openPostgresRegistry } from './tenants/postgres/open-postgres-registry.js';
export type { Registry } from './tenants/registry.js';
export type { SqliteRegistryOptions } from './tenants/sqlite/open-sqlite-registry.js';
export { openSqliteRegistry } from './tenants/sqlite/open-sqlite-registry.js';
export type { Tenant, TenantState, TenantStore } from './tenants/tenant-store.js';
export type { WakeTimer, WakeTimerStore } from './tenants/wake-timer-store.js';
