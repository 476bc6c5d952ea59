/**
 * Test support of `@silo/gateway` (the `./testing` entry): the suite every
 * `RuntimeDriver` passes and the five registry suites every registry backend
 * passes. They import vitest, so they stay out of the main entry.
 */
export type { ContractOptions, MakeDriver } from './runtime/runtime-driver.contract.js';
export { runtimeDriverContract } from './runtime/runtime-driver.contract.js';
export { secretStoreContract } from './secrets/secret-store.contract.js';
export { apiKeyStoreContract } from './tenants/api-key-store.contract.js';
export { instanceFactStoreContract } from './tenants/instance-fact-store.contract.js';
export { instanceLeaseStoreContract } from './tenants/instance-lease-store.contract.js';
export type { ThrowawayCluster } from './tenants/postgres/testing/throwaway-cluster.js';
export { findPostgresBin, startThrowawayCluster } from './tenants/postgres/testing/throwaway-cluster.js';
export type { MakeRegistry, RegistryFixture } from './tenants/registry-contract-kit.js';
export { tenantStoreContract } from './tenants/tenant-store.contract.js';
export { wakeTimerStoreContract } from './tenants/wake-timer-store.contract.js';
