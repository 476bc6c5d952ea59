export type { GatewayConfig } from './config.js';
export { loadGatewayConfig } from './config.js';
export type { CreateGatewayOptions, Gateway } from './gateway.js';
export { createGateway } from './gateway.js';
export type { InstanceState } from './lifecycle/instance-state.js';
export { ProcessDriver } from './runtime/process/process-driver.js';
export type {
  Endpoint,
  InstanceStatus,
  RuntimeDriver,
  StartRequest,
  TenantLimits,
} from './runtime/runtime-driver.js';
