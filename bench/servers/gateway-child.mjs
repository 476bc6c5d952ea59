#!/usr/bin/env node
// One Silo gateway in a process of its own, so its memory and CPU are its own
// and not the harness's. Built from the gateway's compiled composition root
// (createGateway). Tenants whose id starts with `base-` run the do-nothing
// baseline server through the same driver path (a second driver of the same
// kind, behind one gateway), so the orchestrator and the baseline are started,
// held, probed and proxied by the same code.
//
// Settings come as JSON in BENCH_GATEWAY: { dataDir, runtime: 'process'|'docker',
// adminToken, logFile, maxRunning, baselineImage?, pauseAfter?, startConcurrency?, startTimeout?, dockerThaw? }. Prints one JSON line
// { url, pid } on stdout once it listens.
import { fileURLToPath } from 'node:url';

// BENCH_GATEWAY_MODULE: another build of the gateway (bench/proxy-ab.mjs compares two side by side).
const { createGateway, createGatewayLogger, loadGatewayConfig, ProcessDriver } = await import(
  process.env.BENCH_GATEWAY_MODULE ?? '@silo/gateway'
);

const settings = JSON.parse(process.env.BENCH_GATEWAY ?? '{}');
const BASELINE = fileURLToPath(new URL('./baseline-server.mjs', import.meta.url));
const isBase = (id) => id.startsWith('base-');

/** Routes each tenant to the orchestrator driver or the baseline driver (same kind). */
class SplitDriver {
  constructor(main, base) {
    this.main = main;
    this.base = base;
    this.name = main.name;
  }
  pick(id) {
    return isBase(id) ? this.base : this.main;
  }
  start(request) {
    return this.pick(request.tenantId).start(request);
  }
  stop(id, graceMs) {
    return this.pick(id).stop(id, graceMs);
  }
  remove(id, options) {
    return this.pick(id).remove(id, options);
  }
  inspect(id) {
    return this.pick(id).inspect(id);
  }
  pause(id) {
    return this.pick(id).pause(id);
  }
  // With the ref from the start: the driver's fast path (no lookup), as without the split.
  resume(id, ref) {
    return this.pick(id).resume(id, ref);
  }
  logs(id, options) {
    return this.pick(id).logs(id, options);
  }
  async list() {
    const [a, b] = await Promise.all([this.main.list(), this.base.list()]);
    return [...a.filter((s) => !isBase(s.tenantId)), ...b.filter((s) => isBase(s.tenantId))];
  }
  async close() {
    await this.main.close?.();
    await this.base.close?.();
  }
}

async function makeDriver() {
  if (settings.runtime === 'docker') {
    const { DockerDriver } = await import(process.env.BENCH_GATEWAY_MODULE ?? '@silo/gateway');
    // SILO_DOCKER_THAW: 'auto' (the default) or 'api' (the paused section's same-run baseline).
    const thaw = { mode: settings.dockerThaw ?? 'auto' };
    const main = new DockerDriver({ thaw });
    const base = new DockerDriver({ image: settings.baselineImage, build: false, thaw });
    return new SplitDriver(main, base);
  }
  // The entry bench/run.mjs chose once for the whole run (see there).
  const command = process.env.BENCH_INSTANCE_COMMAND;
  const main = new ProcessDriver({
    dataDir: settings.dataDir,
    ...(command ? { command: JSON.parse(command) } : {}),
  });
  const base = new ProcessDriver({ dataDir: settings.dataDir, command: [process.execPath, BASELINE] });
  return new SplitDriver(main, base);
}

const config = loadGatewayConfig(
  {},
  {
    SILO_HOST: '127.0.0.1',
    SILO_PORT: '0',
    SILO_DATA_DIR: settings.dataDir,
    SILO_RUNTIME: settings.runtime,
    SILO_ADMIN_TOKEN: settings.adminToken,
    SILO_IDLE_TIMEOUT: '30m',
    SILO_START_TIMEOUT: settings.startTimeout ?? '60s',
    SILO_MAX_RUNNING: String(settings.maxRunning ?? 200),
    SILO_HOLD_MAX: '1000',
    // The paused tier only where a section asks for it (sections/paused.mjs): the others measure as before.
    SILO_PAUSE_AFTER: settings.pauseAfter ?? 'off',
    SILO_START_CONCURRENCY: String(settings.startConcurrency ?? 'auto'),
    SILO_LOG_LEVEL: settings.logLevel ?? 'info',
    // sections/herd.mjs counts cold starts of one tenant: per-tenant series are opt-in.
    SILO_METRICS_PER_TENANT: '1',
  },
);
// The gateway's own default logger (asynchronous, buffered), writing to a file.
const logger = createGatewayLogger(config.logLevel, settings.logFile);
const gateway = await createGateway({ config, driver: await makeDriver(), logger, stopGraceMs: 5_000 });
const url = await gateway.listen();
process.stdout.write(`${JSON.stringify({ url, pid: process.pid })}\n`);

let closing = false;
const shutdown = async () => {
  if (closing) return;
  closing = true;
  await gateway.close({ stopInstances: settings.stopInstancesOnExit !== false }).catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
