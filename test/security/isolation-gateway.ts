import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, type Gateway, loadGatewayConfig, ProcessDriver } from '@silo/gateway';
import { type AdminCall, adminClient } from '../helpers/test-gateway.js';

export type IsolationGateway = {
  gateway: Gateway;
  driver: ProcessDriver;
  url: string;
  dataDir: string;
  admin: AdminCall;
  stop: () => Promise<void>;
};

/**
 * A gateway on the process runtime with a driver chosen by the test:
 * `isolation: 'auto'` sandboxes where the machine allows it, `'off'` is the
 * runtime as it was before (the control that proves the attacks can work).
 * No SILO_ADMIN_TOKEN: the gateway generates one and saves it in its data
 * folder, so that the file exists for a task to try to read.
 */
export async function startIsolationGateway(options: {
  isolation: 'auto' | 'off';
  allowUnisolated: boolean;
  command?: readonly string[];
}): Promise<IsolationGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'silo-sec-'));
  const config = loadGatewayConfig({
    SILO_HOST: '127.0.0.1',
    SILO_PORT: '0',
    SILO_DATA_DIR: dataDir,
    SILO_RUNTIME: 'process',
    SILO_LOG_LEVEL: process.env.SILO_TEST_LOG ?? 'silent',
  });
  const driver = new ProcessDriver({
    dataDir,
    isolation: options.isolation,
    allowUnisolated: options.allowUnisolated,
    ...(options.command ? { command: options.command } : {}),
  });
  const gateway = await createGateway({ config, driver, stopGraceMs: 5_000 });
  const url = await gateway.listen();
  return {
    gateway,
    driver,
    url,
    dataDir,
    admin: adminClient(url, gateway.adminToken),
    stop: async () => {
      await gateway.close({ stopInstances: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
