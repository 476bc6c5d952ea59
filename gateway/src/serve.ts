import { type GatewayConfig, loadGatewayConfig } from './config.js';
import { DEMO_FLOW_YAML, seedDemoTenant } from './first-run/demo-tenant.js';
import { type CreateGatewayOptions, createGateway, type Gateway } from './gateway.js';

/**
 * Creates the gateway, listens, and does the first run: prints the admin
 * token when it was generated now and, unless `SILO_DEMO=0`, seeds the demo
 * tenant on an empty registry. `out` receives the lines for the operator.
 *
 * @example
 * const { gateway, url } = await startServing(config, (line) => process.stderr.write(`${line}\n`));
 */
export async function startServing(
  config: GatewayConfig,
  out: (line?: string) => void,
  options: Omit<CreateGatewayOptions, 'config'> = {},
): Promise<{ gateway: Gateway; url: string }> {
  const gateway = await createGateway({ ...options, config });
  const url = await gateway.listen();
  out(`Silo gateway listening on ${url} (runtime: ${gateway.driver.name}; ${gateway.runtimeReason})`);
  out(`Operator dashboard: ${url}/ui/admin/ (sign in with the admin token)`);
  if (gateway.adminTokenGenerated) {
    out(`Admin token (shown once; saved 0600 in ${config.dataDir}/admin-token):`);
    out(`  ${gateway.adminToken}`);
  }
  if (!config.demo) return { gateway, url };
  const demo = await seedDemoTenant(gateway.registry, url, gateway.logger);
  if (demo !== undefined) {
    out();
    out('First run: created the tenant "demo" with the flow demo/hello-world.');
    if (!demo.flowCreated) {
      out(`  (the flow could not be deployed yet: ${demo.problem})`);
      out('  Deploy it yourself with POST /api/v1/demo/flows (Content-Type: application/x-yaml):');
      out(DEMO_FLOW_YAML.replace(/^/gm, '    '));
    }
    out(`API key of "demo" (shown once): ${demo.key}`);
    out('Run the flow and see its result:');
    out(`  ${demo.curl}`);
    out(`Or open its console, ${url}/ui/demo/, and sign in with that key.`);
    out();
  }
  return { gateway, url };
}

/**
 * `silo serve`: settings (environment, overridden by flags) → gateway →
 * listen → first run → signals. Instances keep running when the gateway
 * stops, so a restart adopts them, unless `SILO_STOP_INSTANCES_ON_EXIT`.
 *
 * @example
 * await runServe({ SILO_PORT: '9090' }); // overrides by variable name, from flags
 */
export async function runServe(overrides: Record<string, string>): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadGatewayConfig(process.env, overrides);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const { gateway } = await startServing(config, (line = '') => process.stderr.write(`${line}\n`));
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    gateway.logger.info({ signal }, 'gateway stopping');
    await gateway.close({ stopInstances: config.stopInstancesOnExit });
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
