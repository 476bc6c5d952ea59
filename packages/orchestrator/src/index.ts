export type { OrchestratorConfig } from './config.js';
export { loadConfig } from './config.js';
export type { Orchestrator } from './orchestrator.js';
export { createOrchestrator } from './orchestrator.js';
