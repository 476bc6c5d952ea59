/**
 * The public API of `@silo/orchestrator`: an explicit list (STYLE.md rule 12,
 * no `export *`): build one tenant's engine. The wire shapes of its API
 * (executions, task runs, logs, flows) are in `@silo/contracts`.
 */
export type { OrchestratorConfig } from './config.js';
export { loadConfig } from './config.js';
export { migrateFlowTo20 } from './migration/migrate-flow.js';
export type { Orchestrator } from './orchestrator.js';
export { createOrchestrator } from './orchestrator.js';
