export { KESTRA_CONFIGS_PATH, KESTRA_CONFIGURATION } from './api/configs.js';
export type {
  ExecutionJson,
  ExecutionPageJson,
  ExecutionTriggerJson,
  LabelJson,
  StateHistoryJson,
  StateJson,
  TaskRunAttemptJson,
  TaskRunJson,
} from './api/executions.js';
export {
  ExecutionJsonSchema,
  ExecutionPageJsonSchema,
  ExecutionTriggerJsonSchema,
  LabelJsonSchema,
  StateHistoryJsonSchema,
  StateJsonSchema,
  TaskRunAttemptJsonSchema,
  TaskRunJsonSchema,
} from './api/executions.js';
export type { FlowJson } from './api/flows.js';
export { FlowJsonSchema } from './api/flows.js';
export type { KestraLogLevel, LogEntryJson } from './api/logs.js';
export { KESTRA_LOG_LEVELS, LogEntryJsonSchema } from './api/logs.js';
export type { KestraVersion } from './dialect.js';
export {
  DEFAULT_KESTRA_VERSION_FOR_NEW_TENANTS,
  KESTRA_VERSIONS,
  KestraVersionSchema,
  LEGACY_KESTRA_VERSION,
} from './dialect.js';
export { parseShortDuration } from './duration.js';
export type { ErrorBody, GatewayErrorCode, KestraErrorBody } from './error-body.js';
export {
  assertNever,
  ErrorBodySchema,
  GATEWAY_ERROR_CODES,
  KestraErrorBodySchema,
} from './error-body.js';
export type { InstanceEnv, LifecycleReport, LogLevel } from './instance.js';
export {
  HEALTHZ_PATH,
  INSTANCE_TOKEN_HEADER,
  InstanceEnvSchema,
  LIFECYCLE_PATH,
  LifecycleReportSchema,
  LOG_LEVELS,
  READYZ_PATH,
  SNAPSHOT_PATH,
} from './instance.js';
export type {
  FlowMigration,
  FlowMigrationEntry,
  FlowMigrationStatus,
  MigrationReason,
  MigrationReport,
} from './migration.js';
export {
  FLOW_MIGRATION_STATUSES,
  FlowMigrationEntrySchema,
  FlowMigrationSchema,
  MIGRATION_PATH,
  MigrationReasonSchema,
  MigrationReportSchema,
} from './migration.js';
export type { StateType } from './state.js';
export { isFailed, isStateType, isTerminal, STATE_TYPES } from './state.js';
export type { TenantId } from './tenant-id.js';
export {
  isTenantId,
  RESERVED_TENANT_IDS,
  TENANT_ID_PATTERN,
  TenantIdSchema,
  tenantIdProblem,
} from './tenant-id.js';
export type { WebhookTarget } from './webhook.js';
export {
  MAX_WEBHOOK_KEYS,
  WEBHOOK_MARK_HEADER,
  WEBHOOK_METHODS,
  WEBHOOK_NOT_FOUND_MESSAGE,
  webhookKeyMaterial,
  webhookTarget,
} from './webhook.js';
