export type {
  Endpoint,
  InstanceStatus,
  RuntimeDriver,
  StartRequest,
  TenantLimits,
} from './runtime/runtime-driver.js';
