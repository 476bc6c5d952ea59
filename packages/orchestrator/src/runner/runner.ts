import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../ports/clock.js';
import type { FlowRepository } from '../ports/flow-repository.js';
import type { KvStore } from '../ports/kv-store.js';
import { StorageQuota } from '../quota/storage-quota.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { openDatabase } from '../sqlite/database.js';
import { SqliteConditionWindowStore } from '../sqlite/sqlite-condition-windows.js';
import { sqliteEngineStores } from '../sqlite/sqlite-engine-stores.js';
import { SqliteFlowRepository } from '../sqlite/sqlite-flow-repository.js';
import { SqliteKvStore } from '../sqlite/sqlite-kv-store.js';
import { SqliteTriggerStateRepository } from '../sqlite/sqlite-trigger-state.js';
import { WebhookKeyIndex } from '../triggers/webhook-keys.js';
import { httpDownloadTask } from '../worker/tasks/http/http-download.js';
import { httpRequestTask } from '../worker/tasks/http/http-request.js';
import { KV_TASKS } from '../worker/tasks/kv/kv-tasks.js';
import { PURGE_TASKS } from '../worker/tasks/purge-tasks.js';
import { createShellTasks } from '../worker/tasks/scripts/shell-tasks.js';
import { Engine } from './engine.js';
import { createInstanceTriggers, type InstanceTriggers } from './instance-triggers.js';

export type RunnerOptions = {
  /** The tenant's data folder: `silo.db` and internal storage live under it. */
  dataDir: string;
  logger: Logger;
  secrets: SecretStore;
  /** The tenant id, the `flow.tenantId` of expressions. */
  tenantId?: string | undefined;
  /** The tenant's storage quota in MiB (`SILO_STORAGE_MB`); absent: unbounded. */
  storageMb?: number | undefined;
  /** Renders a templated webhook key (`{{ secret('…') }}`) for the hashed keys of the lifecycle report. */
  renderKey: (template: string) => string;
  /** The one clock of the instance: engine, worker, triggers, KV. */
  clock: Clock;
  /** Worker attempts at once (default applied by Engine: 16). */
  workerConcurrency?: number | undefined;
  /** Job lease in ms (default applied by Worker: 60000). */
  jobLeaseMs?: number | undefined;
  /** Executor events per batch (default applied by ExecutorLoop: 256). */
  executorBatchSize?: number | undefined;
  /** The tenant's `maxConcurrentExecutions` (SILO_MAX_CONCURRENT_EXECUTIONS); absent: no cap. */
  maxConcurrentExecutions?: number | undefined;
};

/** One running instance core: its stores, engine and triggers. */
export type Runner = {
  flows: FlowRepository;
  kv: KvStore;
  engine: Engine;
  triggers: InstanceTriggers;
  /** The hashed webhook keys of the instance's flows, for the gateway (lifecycle report). */
  webhookKeys: WebhookKeyIndex;
  /**
   * A consistent copy of the live SQLite file at `file` (SQLite's online backup API), taken while
   * the engine runs: 1000 pages (4 MiB) per event-loop turn instead of better-sqlite3's 100, since
   * on a busy instance each turn waits behind the executor (10,000 executions, 24 MB: 15.6 s at
   * 100, 8.2 s at 1000 in bench/backup.mjs); one turn of 1000 pages blocks for a few ms.
   */
  backup(file: string): Promise<unknown>;
  /** Stops triggers and the engine (running work gets `graceMs`), then closes the database. */
  stop(graceMs: number): Promise<void>;
};

/**
 * The one place that wires the core of an instance: opens and migrates the
 * SQLite file, builds every port's adapter, the engine (executor loop +
 * worker) and the triggers over them, one clock for all, recovers
 * interrupted work and starts. The HTTP side (`orchestrator.ts`) only reads
 * what it returns.
 *
 * @example
 * const runner = startRunner({ dataDir, logger, secrets: new SecretStore(), clock: systemClock });
 * runner.engine.createWithInputs(runner.engine.liveFlow('company.team', 'hello'), {});
 * await runner.stop(5_000);
 */
export function startRunner(o: RunnerOptions): Runner {
  const { clock } = o;
  const db = openDatabase(join(o.dataDir, 'silo.db'), o.logger);
  const quota = o.storageMb === undefined ? undefined : StorageQuota.install(o.dataDir, o.storageMb);
  quota?.capSqlite(db);
  const stores = sqliteEngineStores(db);
  const kv = new SqliteKvStore(db, {
    clock,
    ...(quota ? { beforeWrite: (n: number, what: string) => quota.assertRoom(n, what) } : {}),
  });
  const flows = new SqliteFlowRepository(db);
  const webhookKeys = new WebhookKeyIndex(flows, () => flows.signature(), o.renderKey);
  const triggers = createInstanceTriggers({
    stores,
    triggerState: new SqliteTriggerStateRepository(db),
    conditionWindows: new SqliteConditionWindowStore(db),
    flows,
    flowsSignature: () => flows.signature(),
    logger: o.logger,
    clock,
  });
  const engine = new Engine({
    stores,
    flows,
    clock,
    dataDir: o.dataDir,
    logger: o.logger,
    kv,
    tasks: [
      ...KV_TASKS,
      ...PURGE_TASKS,
      httpRequestTask,
      httpDownloadTask,
      ...Object.values(createShellTasks()),
    ],
    secrets: o.secrets,
    onExecutionEnded: triggers.onExecutionEnded,
    onExecutionStateChanged: triggers.onExecutionStateChanged,
    tenantId: o.tenantId,
    ...(o.workerConcurrency !== undefined ? { workerConcurrency: o.workerConcurrency } : {}),
    ...(o.jobLeaseMs !== undefined ? { leaseMs: o.jobLeaseMs } : {}),
    ...(o.executorBatchSize !== undefined ? { executorBatchSize: o.executorBatchSize } : {}),
    ...(o.maxConcurrentExecutions !== undefined
      ? { maxConcurrentExecutions: o.maxConcurrentExecutions }
      : {}),
  });
  engine.start();
  triggers.start(engine);
  return {
    flows,
    kv,
    engine,
    triggers,
    webhookKeys,
    backup: (file) => db.backup(file, { progress: () => 1000 }),
    async stop(graceMs) {
      triggers.stop();
      await engine.stop(graceMs);
      db.close();
      StorageQuota.uninstall(o.dataDir);
    },
  };
}
