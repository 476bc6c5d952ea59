#!/usr/bin/env node
import { serve } from '@hono/node-server';
import pino from 'pino';
import { loadConfig } from './config.js';
import { createOrchestrator } from './orchestrator.js';
import { readSecretsFrom } from './secrets/read-secrets.js';

/**
 * Entry point of one tenant's instance: config → orchestrator → HTTP server →
 * signals. On SIGTERM/SIGINT it stops taking work, lets running work finish
 * within the grace period, closes SQLite and exits 0.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel, base: { tenantId: config.tenantId } });
  let secrets: Record<string, string> = {};
  if (config.secretsFrom === 'stdin') {
    try {
      secrets = await readSecretsFrom(process.stdin);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(2);
    }
    logger.info({ count: Object.keys(secrets).length }, 'secrets received on stdin');
  }
  const orchestrator = createOrchestrator(config, logger, { secrets });

  const server = serve(
    { fetch: orchestrator.app.fetch, port: config.port, hostname: config.host },
    (info) => {
      logger.info({ port: info.port, host: config.host }, 'instance listening');
    },
  );
  await orchestrator.start();
  logger.info('instance ready');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    try {
      await orchestrator.stop();
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'unclean stop');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main();
