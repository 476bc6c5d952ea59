import { loadGatewayConfig } from './config.js';
import { DEMO_FLOW_YAML, seedDemoTenant } from './first-run/demo-tenant.js';
import { createGateway } from './gateway.js';

export type ServeFlags = {
  host?: string;
  port?: string;
  dataDir?: string;
  runtime?: string;
  idleTimeout?: string;
  startTimeout?: string;
  wakeLead?: string;
  maxRunning?: string;
  holdMax?: string;
  bodyLimit?: string;
  logLevel?: string;
  /** Stop every instance when the gateway exits (default: leave them for the next gateway to adopt). */
  stopInstancesOnExit?: boolean;
  /** Skip the demo tenant on an empty registry. */
  demo?: boolean;
};

/**
 * `silo serve`: settings (environment, overridden by flags) → gateway →
 * listen → first run → signals. Instances keep running when the gateway
 * stops, so a restart adopts them, unless `--stop-instances-on-exit`.
 *
 * @example
 * await runServe({ port: '9090' });
 */
export async function runServe(flags: ServeFlags): Promise<void> {
  let config: ReturnType<typeof loadGatewayConfig>;
  try {
    config = loadGatewayConfig(process.env, {
      SILO_HOST: flags.host,
      SILO_PORT: flags.port,
      SILO_DATA_DIR: flags.dataDir,
      SILO_RUNTIME: flags.runtime,
      SILO_IDLE_TIMEOUT: flags.idleTimeout,
      SILO_START_TIMEOUT: flags.startTimeout,
      SILO_WAKE_LEAD: flags.wakeLead,
      SILO_MAX_RUNNING: flags.maxRunning,
      SILO_HOLD_MAX: flags.holdMax,
      SILO_BODY_LIMIT: flags.bodyLimit,
      SILO_LOG_LEVEL: flags.logLevel,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const gateway = await createGateway({ config });
  const url = await gateway.listen();
  const out = (line = '') => process.stderr.write(`${line}\n`);
  out(`Silo gateway listening on ${url} (runtime: ${gateway.driver.name}; ${gateway.runtimeReason})`);
  out(`Operator dashboard: ${url}/ui/admin/ (sign in with the admin token)`);
  if (gateway.adminTokenGenerated) {
    out(`Admin token (shown once; saved 0600 in ${config.dataDir}/admin-token):`);
    out(`  ${gateway.adminToken}`);
  }
  if (flags.demo !== false) {
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
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    gateway.logger.info({ signal }, 'gateway stopping');
    await gateway.close({ stopInstances: flags.stopInstancesOnExit === true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
