import { join } from 'node:path';
import type { LifecycleReport } from '@silo/contracts';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { OrchestratorConfig } from './config.js';
import { NotReadyError } from './errors.js';
import { Engine } from './executor/engine.js';
import { createHttpApp } from './http/app.js';
import { createExecutionsRoutes } from './http/executions-routes.js';
import { createFlowsRoutes } from './http/flows-routes.js';
import { createKvRoutes } from './http/kv-routes.js';
import { createLogsRoutes } from './http/logs-routes.js';
import { createNamespacesRoutes } from './http/namespaces-routes.js';
import { createTriggersRoutes } from './http/triggers-routes.js';
import { createWebhookRoutes } from './http/webhook-routes.js';
import { SqliteKvStore } from './kv/sqlite-kv-store.js';
import type { FlowRepository } from './ports/flow-repository.js';
import { SecretStore } from './secrets/secret-store.js';
import { openDatabase, type SqliteDatabase } from './sqlite/database.js';
import { SqliteFlowRepository } from './sqlite/sqlite-flow-repository.js';
import { render } from './template/index.js';
import { createInstanceTriggers, type InstanceTriggers } from './triggers/instance-triggers.js';
import { httpDownloadTask } from './worker/tasks/http/http-download.js';
import { httpRequestTask } from './worker/tasks/http/http-request.js';
import { KV_TASKS } from './worker/tasks/kv/kv-tasks.js';
import { createShellTasks } from './worker/tasks/scripts/shell-tasks.js';

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
};

/**
 * The composition root of one tenant's instance: the one file that wires the
 * store, the executor, the worker, the scheduler and the HTTP API.
 */
export function createOrchestrator(
  config: OrchestratorConfig,
  logger: Logger,
  options: OrchestratorOptions = {},
): Orchestrator {
  const secrets = new SecretStore(options.secrets);
  let db: SqliteDatabase | undefined;
  let kvStore: SqliteKvStore | undefined;
  let flowRepository: FlowRepository | undefined;
  let engine: Engine | undefined;
  let triggers: InstanceTriggers | undefined;
  let ready = false;

  const api = new Hono();
  const flows = (): FlowRepository => {
    if (flowRepository === undefined) throw new NotReadyError();
    return flowRepository;
  };
  api.route('/', createFlowsRoutes({ flows }));
  api.route('/', createNamespacesRoutes({ flows }));
  api.route(
    '/',
    createKvRoutes(() => {
      if (kvStore === undefined) throw new NotReadyError();
      return kvStore;
    }),
  );
  const engineOrThrow = (): Engine => {
    if (engine === undefined) throw new NotReadyError();
    return engine;
  };
  api.route(
    '/',
    createWebhookRoutes({
      engine: engineOrThrow,
      flows,
      renderKey: (t) => render(t, {}, { functions: { secret: secrets.templateFunction() } }),
      mask: (v) => secrets.mask(v),
    }),
  );
  const triggersOrThrow = (): InstanceTriggers => {
    if (triggers === undefined) throw new NotReadyError();
    return triggers;
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
  api.route('/', createExecutionsRoutes({ engine: engineOrThrow, flows, dataDir: config.dataDir }));
  api.route('/', createLogsRoutes({ engine: engineOrThrow }));
  const lifecycle = (): LifecycleReport => {
    const report = engine?.lifecycle() ?? {
      busy: false,
      activeStreams: 0,
      pendingExecutions: 0,
      nextWakeAt: null,
      nextWakeReason: null,
    };
    // The next schedule fire counts as a wake-up too: a stopped instance is started before it.
    const fire = triggers?.nextWakeAt() ?? null;
    if (fire && (report.nextWakeAt === null || fire.getTime() < Date.parse(report.nextWakeAt))) {
      return { ...report, nextWakeAt: fire.toISOString(), nextWakeReason: 'schedule' };
    }
    return report;
  };

  const app = createHttpApp({
    tenantId: config.tenantId,
    instanceToken: config.instanceToken,
    logger,
    isReady: () => ready,
    lifecycle,
    api,
    ...(config.maxBodyBytes !== undefined ? { maxBodyBytes: config.maxBodyBytes } : {}),
  });

  return {
    app,
    engine: engineOrThrow,
    async start() {
      db = openDatabase(join(config.dataDir, 'silo.db'), logger);
      kvStore = new SqliteKvStore(db);
      flowRepository = new SqliteFlowRepository(db);
      triggers = createInstanceTriggers({ db, flows: flowRepository, logger });
      engine = new Engine({
        db,
        flows: flowRepository,
        dataDir: config.dataDir,
        logger,
        kv: kvStore,
        tasks: [...KV_TASKS, httpRequestTask, httpDownloadTask, ...Object.values(createShellTasks())],
        secrets,
        tenantId: config.tenantId,
        onExecutionEnded: triggers.onExecutionEnded,
        onExecutionStateChanged: triggers.onExecutionStateChanged,
        // Defaults (16, 60000, 256) are applied in Engine, Worker and ExecutorLoop.
        ...(config.workerConcurrency !== undefined ? { workerConcurrency: config.workerConcurrency } : {}),
        ...(config.jobLeaseMs !== undefined ? { leaseMs: config.jobLeaseMs } : {}),
        ...(config.executorBatchSize !== undefined ? { executorBatchSize: config.executorBatchSize } : {}),
      });
      engine.start();
      triggers.start(engine);
      ready = true;
    },
    async stop() {
      ready = false;
      triggers?.stop();
      await engine?.stop(config.shutdownGraceMs);
      engine = undefined;
      triggers = undefined;
      kvStore = undefined;
      flowRepository = undefined;
      db?.close();
      db = undefined;
    },
  };
}
