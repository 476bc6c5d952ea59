import type { LifecycleReport } from '@silo/contracts';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { OrchestratorConfig } from './config.js';
import { NotReadyError } from './errors.js';
import { setInstanceDialect } from './flow/dialect.js';
import { createActionsRoutes, createOutputsRoutes } from './http/actions-routes.js';
import { createHttpApp } from './http/app.js';
import { createExecutionActionsRoutes } from './http/execution-actions-routes.js';
import { createExecutionFileRoutes } from './http/execution-file-routes.js';
import { createExecutionsBulkRoutes } from './http/executions-bulk-routes.js';
import { createExecutionsRoutes } from './http/executions-routes.js';
import { createFlowsBulkRoutes, createFlowsDeployRoute } from './http/flows-bulk-routes.js';
import { createFlowsRoutes } from './http/flows-routes.js';
import { createKvRoutes } from './http/kv-routes.js';
import { createLogsRoutes } from './http/logs-routes.js';
import { createNamespaceFilesRoutes } from './http/namespace-files-routes.js';
import { createNamespacesRoutes } from './http/namespaces-routes.js';
import { createSnapshotRoute } from './http/snapshot-route.js';
import { createTriggersRoutes } from './http/triggers-routes.js';
import { createWebhookRoutes } from './http/webhook-routes.js';
import { createMigrationRoute } from './migration/migration-route.js';
import { type Clock, systemClock } from './ports/clock.js';
import type { FlowRepository } from './ports/flow-repository.js';
import type { KvStore } from './ports/kv-store.js';
import { StorageQuota } from './quota/storage-quota.js';
import type { Engine } from './runner/engine.js';
import type { InstanceTriggers } from './runner/instance-triggers.js';
import { type Runner, startRunner } from './runner/runner.js';
import { SecretStore } from './secrets/secret-store.js';
import { render } from './template/index.js';

export type Orchestrator = {
  /** The HTTP app (serve it with @hono/node-server, or call `app.request()` in tests). */
  app: Hono;
  /** Opens the store, migrates, recovers interrupted work; `/readyz` answers 200 afterwards. */
  start(): Promise<void>;
  /** Stops taking work, lets running work finish within the grace period, closes SQLite. */
  stop(): Promise<void>;
  /** The running engine, for internal callers (conformance, tests); throws before `start()`. */
  engine(): Engine;
};

export type OrchestratorOptions = {
  /** The tenant's secrets (read from stdin by `main.ts`), kept in memory only. @default {} */
  secrets?: Readonly<Record<string, string>>;
  /** The one clock of the instance (runner and flow revisions). @default systemClock */
  clock?: Clock;
  /** Answers carry `x-silo-operation`, the Kestra operationId of the route that answered (tests). @default false */
  exposeOperationIds?: boolean;
};

/**
 * The composition root of one tenant's instance: the HTTP API over the
 * runner (`runner/runner.ts`, which wires the stores, the executor, the
 * worker and the triggers).
 */
export function createOrchestrator(
  config: OrchestratorConfig,
  logger: Logger,
  options: OrchestratorOptions = {},
): Orchestrator {
  // One instance, one dialect: flow parsing follows it from here on (flow/dialect.ts).
  setInstanceDialect(config.kestraVersion);
  const secrets = new SecretStore(options.secrets);
  const clock = options.clock ?? systemClock;
  let runner: Runner | undefined;
  let ready = false;
  const renderKey = (t: string) => render(t, {}, { functions: { secret: secrets.templateFunction() } });

  const api = new Hono();
  const flows = (): FlowRepository => {
    if (runner === undefined) throw new NotReadyError();
    return runner.flows;
  };
  // Order matters where paths overlap: the literal routes of each group come before the wider ones
  // (`/flows/bulk` before `/flows/{namespace}`, `/executions/labels/by-ids` before `/executions/{namespace}/{id}`);
  // `http/route-table.test.ts` checks every route of Kestra 1.3 in scope.
  api.route('/', createFlowsBulkRoutes({ flows, now: () => clock.now() }));
  api.route('/', createFlowsRoutes({ flows, now: () => clock.now() }));
  api.route('/', createFlowsDeployRoute({ flows, now: () => clock.now() }));
  api.route('/', createNamespaceFilesRoutes({ dataDir: config.dataDir }));
  api.route('/', createNamespacesRoutes({ flows }));
  api.route(
    '/',
    createKvRoutes(() => {
      if (runner === undefined) throw new NotReadyError();
      return runner.kv satisfies KvStore;
    }),
  );
  const engineOrThrow = (): Engine => {
    if (runner === undefined) throw new NotReadyError();
    return runner.engine;
  };
  api.route(
    '/',
    createWebhookRoutes({
      engine: engineOrThrow,
      flows,
      renderKey,
      mask: (v) => secrets.mask(v),
    }),
  );
  const triggersOrThrow = (): InstanceTriggers => {
    if (runner === undefined) throw new NotReadyError();
    return runner.triggers;
  };
  api.route(
    '/',
    createTriggersRoutes({
      flows,
      tenantId: config.tenantId,
      state: (ns, id, t) => triggersOrThrow().state(ns, id, t),
      nextFire: (f, t) => triggersOrThrow().nextFire(f, t),
    }),
  );
  api.route('/', createExecutionsBulkRoutes({ engine: engineOrThrow }));
  const executionDeps = { engine: engineOrThrow, flows, dataDir: config.dataDir };
  api.route('/', createActionsRoutes(executionDeps));
  api.route('/', createOutputsRoutes(executionDeps));
  api.route('/', createExecutionActionsRoutes(executionDeps));
  api.route('/', createExecutionsRoutes({ engine: engineOrThrow, flows, dataDir: config.dataDir }));
  api.route('/', createExecutionFileRoutes({ engine: engineOrThrow, dataDir: config.dataDir }));
  api.route('/', createLogsRoutes({ engine: engineOrThrow }));
  const lifecycle = (): LifecycleReport => {
    const report = runner?.engine.lifecycle() ?? {
      busy: false,
      activeStreams: 0,
      pendingExecutions: 0,
      nextWakeAt: null,
      nextWakeReason: null,
    };
    // The next schedule fire counts as a wake-up too: a stopped instance is started before it.
    const fire = runner?.triggers.nextWakeAt() ?? null;
    const quota = StorageQuota.of(config.dataDir);
    const keys = {
      ...(runner ? { webhookKeys: runner.webhookKeys.current() } : {}),
      ...(quota ? { storageUsedBytes: quota.usedBytes() } : {}),
    };
    if (fire && (report.nextWakeAt === null || fire.getTime() < Date.parse(report.nextWakeAt))) {
      return { ...report, nextWakeAt: fire.toISOString(), nextWakeReason: 'schedule', ...keys };
    }
    return { ...report, ...keys };
  };

  const app = createHttpApp({
    tenantId: config.tenantId,
    instanceToken: config.instanceToken,
    logger,
    isReady: () => ready,
    lifecycle,
    api,
    kestraVersion: config.kestraVersion,
    ...(options.exposeOperationIds ? { exposeOperationIds: true } : {}),
    ...(config.maxBodyBytes !== undefined ? { maxBodyBytes: config.maxBodyBytes } : {}),
  });
  app.route(
    '/',
    createSnapshotRoute({
      dataDir: config.dataDir,
      backup: async (file) => {
        if (runner === undefined) throw new NotReadyError();
        return runner.backup(file);
      },
    }),
  );
  app.route(
    '/',
    createMigrationRoute({
      kestraVersion: config.kestraVersion,
      flows: () => {
        if (runner === undefined) throw new NotReadyError();
        return runner.flows.listAll();
      },
    }),
  );

  return {
    app,
    engine: engineOrThrow,
    async start() {
      runner = startRunner({
        dataDir: config.dataDir,
        logger,
        secrets,
        tenantId: config.tenantId,
        clock,
        storageMb: config.storageMb,
        renderKey,
        workerConcurrency: config.workerConcurrency,
        jobLeaseMs: config.jobLeaseMs,
        executorBatchSize: config.executorBatchSize,
        maxConcurrentExecutions: config.maxConcurrentExecutions,
      });
      ready = true;
    },
    async stop() {
      ready = false;
      // Requests keep reaching the runner while running work finishes (grace), as before.
      await runner?.stop(config.shutdownGraceMs);
      runner = undefined;
    },
  };
}
