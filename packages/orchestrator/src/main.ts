#!/usr/bin/env node
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startupSnapshot } from 'node:v8';
import pino from 'pino';
import { loadConfig } from './config.js';
import { createInstanceServer } from './http/instance-server.js';
import { createOrchestrator } from './orchestrator.js';
import { readSecretsFrom } from './secrets/read-secrets.js';
import { type DataFolderLock, lockDataFolder } from './sqlite/data-folder-lock.js';
import { DB_MARKS } from './sqlite/database.js';

/** This instance's lock on its data folder (`lockDataFolder`), held until it exits. */
let heldLock: DataFolderLock | undefined;

/** Milliseconds between two marks (`performance.now()` values or mark names), rounded to 0.1. */
function span(from: number | string, to: number | string): number | null {
  const at = (m: number | string) =>
    typeof m === 'number' ? m : performance.getEntriesByName(m, 'mark').at(-1)?.startTime;
  const a = at(from);
  const b = at(to);
  return a === undefined || b === undefined ? null : Math.round((b - a) * 10) / 10;
}

/**
 * Entry point of one tenant's instance: config → orchestrator → HTTP server →
 * signals. On SIGTERM/SIGINT it stops taking work, lets running work finish
 * within the grace period, closes SQLite and exits 0.
 */
async function main(): Promise<void> {
  // ms since the process started: Node's own bootstrap, then loading this entry's modules.
  const mainAt = performance.now();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel, base: { tenantId: config.tenantId } });
  // Before anything opens silo.db: two orchestrators on one data folder must be impossible (issue 19).
  // Held in a module-level variable for the life of the process: an unreachable connection would be
  // garbage-collected and closed, and the lock silently released with it.
  try {
    heldLock = lockDataFolder(config.dataDir);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(3);
  }
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
  const configuredAt = performance.now();
  const orchestrator = createOrchestrator(config, logger, { secrets });
  const wiredAt = performance.now();

  // Listening starts before the store is open: /readyz answers 503 until start() is done.
  let listenedAt: number | undefined;
  let readyAt: number | undefined;
  const reportBoot = () => {
    if (listenedAt === undefined || readyAt === undefined) return;
    const bootstrapped = performance.nodeTiming.bootstrapComplete;
    logger.info(
      {
        phases: {
          node: Math.round(bootstrapped * 10) / 10,
          modules: span(bootstrapped, mainAt),
          config: span(mainAt, configuredAt),
          wiring: span(configuredAt, wiredAt),
          sqliteOpen: span(DB_MARKS.open, DB_MARKS.opened),
          migrations: span(DB_MARKS.opened, DB_MARKS.migrated),
          recovery: span(DB_MARKS.migrated, readyAt),
          listen: span(wiredAt, listenedAt),
        },
        totalMs: span(0, Math.max(listenedAt, readyAt)),
      },
      'boot phases',
    );
  };
  const server = createInstanceServer(orchestrator.app.fetch);
  const onListening = () => {
    listenedAt = performance.now();
    logger.info(
      config.socketPath
        ? { socket: config.socketPath }
        : { port: (server.address() as AddressInfo | null)?.port ?? config.port, host: config.host },
      'instance listening',
    );
    reportBoot();
  };
  if (config.socketPath) {
    // A socket file left by a killed run: ours to remove, since we hold the data folder's lock.
    rmSync(config.socketPath, { force: true });
    server.listen(config.socketPath, onListening);
  } else {
    server.listen(config.port, config.host, onListening);
  }
  await orchestrator.start();
  readyAt = performance.now();
  logger.info('instance ready');
  reportBoot();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    try {
      await orchestrator.stop();
      logger.info('stopped cleanly');
      heldLock?.release();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'unclean stop');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

// Inside `node --build-snapshot` (scripts/snapshot.mjs) the modules are evaluated into the
// startup snapshot and main runs only when an instance starts from it.
if (startupSnapshot.isBuildingSnapshot()) startupSnapshot.setDeserializeMainFunction(() => void main());
else void main();
