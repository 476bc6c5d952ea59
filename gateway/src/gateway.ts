import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from 'pino';
import { resolveAdminToken } from './admin/admin-token.js';
import { createApp } from './app.js';
import type { GatewayConfig } from './config.js';
import { tenantFastPath } from './http/tenant-fast-path.js';
import { TenantPipeline } from './http/tenant-pipeline.js';
import { Fleet } from './lifecycle/fleet.js';
import { IdleReaper } from './lifecycle/idle-reaper.js';
import { InstanceManager } from './lifecycle/instance-manager.js';
import { HttpInstanceProbe, type InstanceProbe } from './lifecycle/instance-probe.js';
import { WakeScheduler } from './lifecycle/wake-scheduler.js';
import { createGatewayLogger } from './logger.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics/gateway-metrics.js';
import { createOperations } from './operations/create-operations.js';
import { TenantProxy } from './proxy/tenant-proxy.js';
import type { ReconcileSummary, RuntimeDriver, RuntimeEvent } from './runtime/runtime-driver.js';
import { selectRuntime } from './runtime/select-runtime.js';
import { loadOrCreateSecretKey, SecretCipher } from './secrets/secret-cipher.js';
import { openRegistry } from './tenants/open-registry.js';
import type { Registry } from './tenants/registry.js';
import { versionCatalogOf, versionForNewTenants } from './versions/create-versions.js';

export type CreateGatewayOptions = {
  config: GatewayConfig;
  /** A ready driver; otherwise chosen by `config.runtime`. */
  driver?: RuntimeDriver;
  /** argv of one instance for the process driver (tests run stub instances). @default the orchestrator */
  processCommand?: readonly string[];
  /** @default pino at `config.logLevel` on stdout, asynchronous (logger.ts) */
  logger?: Logger;
  probe?: InstanceProbe;
  /** Idle drain window. @default min(idleTimeout/5, 2 s) */
  drainMs?: number;
  /** How often each running instance's lifecycle report is fetched. @default 5000 */
  reportIntervalMs?: number;
  /** Grace on stop before SIGKILL. @default 15000 */
  stopGraceMs?: number;
  /** Log level handed to instances. @default 'info' */
  instanceLogLevel?: string;
  /** Docker: time between reporting a container of an unknown tenant and stopping it. @default 60000 */
  orphanGraceMs?: number;
};

/** A composed gateway: call `listen()`, later `close()`. */
export type Gateway = {
  config: GatewayConfig;
  registry: Registry;
  manager: InstanceManager;
  driver: RuntimeDriver;
  metrics: GatewayMetrics;
  logger: Logger;
  adminToken: string;
  /** True when the admin token was generated now (print it once). */
  adminTokenGenerated: boolean;
  runtimeReason: string;
  /** The instances found running and adopted at creation. */
  adopted: string[];
  /** What the driver's reconcile found at creation (Docker: leftovers removed, orphans reported). */
  reconciled: ReconcileSummary | undefined;
  server: Server;
  /** Tenant operations (absent on a runtime without data access): backups, restore, guarded changes. */
  operations: Omit<ReturnType<typeof createOperations>, 'close'>;
  /** The Hono app (admin and health routes answer `app.request()` in tests; the proxy needs the server). */
  app: ReturnType<typeof createApp>;
  /** Listens on `config.host:config.port` (0 = any free port) and resolves to the base URL. */
  listen(): Promise<string>;
  /**
   * Stops accepting traffic and the gateway's own timers. Instances keep
   * running (the next gateway adopts them) unless `stopInstances`.
   */
  close(options?: { stopInstances?: boolean }): Promise<void>;
};

/**
 * The composition root: registry + driver + lifecycle (manager, reaper, wake
 * timers) + proxy + one request pipeline (HTTP and WebSocket upgrades) +
 * app + HTTP server. Follows the driver's events (deaths noticed at once;
 * an engine reconnect reconciles and adopts again), reconciles the runtime
 * with the registry, and adopts the instances already running before it
 * returns.
 *
 * @example
 * const gateway = await createGateway({ config: loadGatewayConfig(process.env) });
 * const url = await gateway.listen();
 */
export async function createGateway(options: CreateGatewayOptions): Promise<Gateway> {
  const { config } = options;
  const logger = options.logger ?? createGatewayLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const { token: adminToken, generated } = resolveAdminToken(config.adminToken, config.dataDir);
  const opened = await openRegistry(config, new SecretCipher(loadOrCreateSecretKey(config.dataDir)));
  const registry = opened.registry;
  const selected = options.driver
    ? { driver: options.driver, reason: 'given by the caller' }
    : await selectRuntime(config.runtime, {
        dataDir: config.dataDir,
        logger,
        allowUnisolated: config.allowUnisolated,
        ...(options.processCommand ? { processCommand: options.processCommand } : {}),
        docker: {
          scope: config.scope,
          thaw: { mode: config.dockerThaw },
          // The container's own bound on /healthz is the gateway's start timeout: a loaded engine may take longer than a fixed 20 s.
          aliveTimeoutMs: config.startTimeoutMs,
          ...(options.orphanGraceMs !== undefined ? { orphanGraceMs: options.orphanGraceMs } : {}),
          onOrphanStopped: (tenantId, containerId) =>
            logger.warn({ tenantId, containerId }, 'orphan container stopped after its grace period'),
        },
      });
  const driver = selected.driver;
  logger.info({ runtime: driver.name, why: selected.reason }, 'runtime selected');
  const metrics = createGatewayMetrics({ perTenant: config.metricsPerTenant });
  const probe = options.probe ?? new HttpInstanceProbe();
  // Several gateways on one PostgreSQL registry: leases decide who starts, stops and reaps each instance.
  const fleet = registry.leases
    ? new Fleet({
        leases: registry.leases,
        gatewayId: config.gatewayId ?? `${hostname()}:${config.port}`,
        logger,
      })
    : undefined;
  fleet?.start();
  const manager = new InstanceManager({
    fleet,
    driver,
    registry,
    probe,
    metrics,
    logger,
    startTimeoutMs: config.startTimeoutMs,
    holdMax: config.holdMax,
    defaultStorageMb: config.storageMb,
    maxRunning: config.maxRunning,
    startConcurrency: config.startConcurrency,
    wakeLeadMs: config.wakeLeadMs,
    ...(options.stopGraceMs !== undefined ? { stopGraceMs: options.stopGraceMs } : {}),
    ...(options.instanceLogLevel !== undefined ? { instanceLogLevel: options.instanceLogLevel } : {}),
  });
  const wakes = new WakeScheduler({
    registry,
    manager,
    metrics,
    logger,
    leadMs: config.wakeLeadMs,
  });
  manager.onWakeChanged = () => wakes.arm();
  manager.onWebhookKeys = (tenantId, hashes) => {
    registry.webhookKeys
      .replace(tenantId, hashes)
      .catch((err: unknown) => logger.warn({ err, tenantId }, 'webhook keys of the report not stored'));
  };
  const reaper = new IdleReaper({
    manager,
    logger,
    idleTimeoutMs: config.idleTimeoutMs,
    pauseAfterMs: config.pauseAfterMs,
    ...(options.drainMs !== undefined ? { drainMs: options.drainMs } : {}),
    ...(options.reportIntervalMs !== undefined ? { reportIntervalMs: options.reportIntervalMs } : {}),
  });
  const proxy = new TenantProxy({ manager, metrics, logger, bodyLimitBytes: config.bodyLimitBytes });
  manager.onFreeze = (endpoint) => proxy.forget(endpoint);
  const pipeline = new TenantPipeline({ registry, manager, proxy, logger });
  const startedAt = new Date();
  const versions = versionCatalogOf(driver, config.dataDir);
  const app = createApp({
    ...(versions ? { versionForNewTenants: () => versionForNewTenants(versions) } : {}),
    registry,
    registryHealth: opened.health,
    manager,
    driver,
    runtimeReason: selected.reason,
    startedAt,
    requestsPerSecond: (tenantId) => pipeline.requestsPerSecond(tenantId),
    adminToken,
    metricsToken: config.metricsToken,
    pipeline,
    metrics,
    logger,
  });

  const operations = createOperations({
    mount: (routes) => app.route('/admin/v1', routes),
    dataDir: config.dataDir,
    settings: {
      ...(config.backupDir !== undefined ? { backupDir: config.backupDir } : {}),
      ...(config.backupEvery !== undefined ? { backupEvery: config.backupEvery } : {}),
      backupKeep: config.backupKeep,
    },
    ...(registry.jobs
      ? { fleet: { jobs: registry.jobs, gatewayId: config.gatewayId ?? `${hostname()}:${config.port}` } }
      : {}),
    registry,
    versions,
    manager,
    driver,
    metricsRegistry: metrics.registry,
    logger,
  });

  // Follow the driver before looking at what runs, so that no death falls between the two.
  const reconcile = async (when: string): Promise<ReconcileSummary | undefined> => {
    if (driver.reconcile === undefined) return undefined;
    const summary = await driver.reconcile(async () => (await registry.tenants.list()).map((t) => t.id));
    if (summary.orphans.length > 0)
      logger.warn(
        { tenants: summary.orphans },
        'instances of tenants unknown to the registry: stopped after the grace period unless the tenant comes back',
      );
    logger.info({ when, ...summary }, 'runtime reconciled');
    return summary;
  };
  // Reconnects are handled one after the other (a flapping engine must not run two reconciles at once).
  let resyncs = Promise.resolve();
  const onRuntimeEvent = (event: RuntimeEvent) => {
    if (event.type === 'instance:exited') {
      void manager
        .noticeExit(event.tenantId, event.ref, event.reason)
        .catch((err: unknown) =>
          logger.error({ err, tenantId: event.tenantId }, 'instance exit not handled'),
        );
      return;
    }
    logger.warn({ downForMs: event.downForMs }, 'runtime reconnected: reconciling again');
    resyncs = resyncs.then(async () => {
      try {
        await reconcile('reconnect');
        const again = await manager.resync();
        if (again.length > 0)
          logger.info({ tenants: again }, 'adopted running instances after the reconnect');
      } catch (err) {
        logger.error({ err }, 'reconcile after the reconnect failed');
      }
    });
  };
  const unwatch = driver.watch?.(onRuntimeEvent);
  const reconciled = await reconcile('start');
  const adopted = await manager.adopt();
  if (adopted.length > 0) logger.info({ tenants: adopted }, 'adopted running instances');
  wakes.arm();
  reaper.start();

  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  // Idle client connections live 65 s, past the usual 60 s of load balancers: with Node's 5 s a client or a
  // balancer reusing its connection races the gateway's close and gets "socket hang up" (seen by the bench).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Tenant API requests skip Hono (http/tenant-fast-path.ts); the app serves the rest.
  const [appListener] = server.listeners('request') as Parameters<typeof tenantFastPath>[2][];
  if (appListener !== undefined)
    server.removeAllListeners('request').on('request', tenantFastPath(pipeline, logger, appListener));
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    void pipeline.upgrade(req, socket, head);
  });

  return {
    config,
    registry,
    manager,
    driver,
    metrics,
    logger,
    adminToken,
    adminTokenGenerated: generated,
    runtimeReason: selected.reason,
    adopted,
    reconciled,
    server,
    app,
    operations,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const address = server.address();
          const port = typeof address === 'object' && address ? address.port : config.port;
          const host = config.host.includes(':') ? `[${config.host}]` : config.host;
          resolve(`http://${host}:${port}`);
        });
      }),
    async close(closeOptions = {}) {
      unwatch?.();
      reaper.stop();
      wakes.close();
      fleet?.close();
      await operations.close();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
      });
      if (closeOptions.stopInstances) await manager.stopAll();
      proxy.close();
      if (probe instanceof HttpInstanceProbe) probe.close();
      await driver.close?.();
      await registry.close();
    },
  };
}
