/**
 * The public API of `@silo/orchestrator`: an explicit list (STYLE.md rule 12,
 * no `export *`): build one tenant's engine, and read its executions API.
 */
export type { OrchestratorConfig } from './config.js';
export { loadConfig } from './config.js';
export type {
  ExecutionJson,
  ExecutionPageJson,
  LogEntryJson,
  StateJson,
  TaskRunAttemptJson,
  TaskRunJson,
} from './model/execution-json.js';
export type { Orchestrator } from './orchestrator.js';
export { createOrchestrator } from './orchestrator.js';
