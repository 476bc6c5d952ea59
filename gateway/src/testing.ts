/**
 * Test support of `@silo/gateway` (the `./testing` entry): the suite every
 * `RuntimeDriver` passes. It imports vitest, so it stays out of the main entry.
 */
export type { ContractOptions, MakeDriver } from './runtime/runtime-driver.contract.js';
export { runtimeDriverContract } from './runtime/runtime-driver.contract.js';
