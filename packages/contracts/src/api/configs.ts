/**
 * What `GET /api/v1/configs` answers (Kestra's `MiscController.EEConfiguration`
 * of the 1.3.0 spec, OSS edition): what a Kestra client or UI reads before
 * anything else. Static and free of secrets, so the gateway answers it
 * without a key, as Kestra does; every feature Silo does not have is off.
 */
export const KESTRA_CONFIGURATION = {
  uuid: 'silo',
  version: '1.3.0',
  edition: 'OSS',
  commitId: 'silo',
  chartDefaultDuration: 'P30D',
  isCustomDashboardsEnabled: false,
  isAnonymousUsageEnabled: false,
  isUiAnonymousUsageEnabled: false,
  isTemplateEnabled: false,
  preview: { initial: 100, max: 5000 },
  systemNamespace: 'system',
  hiddenLabelsPrefixes: ['system.'],
  isAiEnabled: false,
  isBasicAuthInitialized: false,
  isConcurrencyViewEnabled: false,
  tenants: { storageByTenant: true, secretByTenant: true },
  secretsEnabled: true,
  supportedStorages: [],
  supportedSecrets: [],
  pluginManagementEnabled: false,
  pluginCustomEnabled: false,
  mailServiceEnabled: false,
  outputsInInternalStorageEnabled: true,
  inMaintenance: false,
  passwordlessEnabled: false,
  airgapped: true,
  featureGating: false,
  features: [],
  killSwitches: [],
} as const;

/** The path of the configuration, outside any tenant. */
export const KESTRA_CONFIGS_PATH = '/api/v1/configs';
