import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryUnavailableError } from '../../errors.js';
import { secretStoreContract } from '../../secrets/secret-store.contract.js';
import { apiKeyStoreContract } from '../api-key-store.contract.js';
import { instanceFactStoreContract } from '../instance-fact-store.contract.js';
import { instanceLeaseStoreContract } from '../instance-lease-store.contract.js';
import { jobClaimStoreContract } from '../job-claim-store.contract.js';
import { eventually, type MakeRegistry } from '../registry-contract-kit.js';
import { tenantStoreContract } from '../tenant-store.contract.js';
import { wakeTimerStoreContract } from '../wake-timer-store.contract.js';
import { webhookKeyStoreContract } from '../webhook-key-store.contract.js';
import { openPostgresRegistry } from './open-postgres-registry.js';
import {
  findPostgresBin,
  startThrowawayCluster,
  type ThrowawayCluster,
} from './testing/throwaway-cluster.js';

/**
 * The eight registry contracts against a real PostgreSQL server (a throwaway
 * cluster in a temp dir, loopback only), a fresh database per test; the
 * sibling is a second registry over the same database, as a second gateway.
 */
const bin = findPostgresBin();
const skipReason = bin === undefined ? 'PostgreSQL is not installed (apt-get install postgresql)' : undefined;
if (skipReason !== undefined && process.env.CI) throw new Error(`CI: ${skipReason}`);

let cluster: ThrowawayCluster | undefined;
let databases = 0;
beforeAll(async () => {
  if (skipReason === undefined) cluster = await startThrowawayCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
}, 90_000);

const makePostgresRegistry: MakeRegistry = async ({ now }) => {
  if (cluster === undefined) throw new Error('no cluster');
  const url = await cluster.createDatabase(`contract_${++databases}`);
  return {
    registry: await openPostgresRegistry(url, { now, poolSize: 4 }),
    openSibling: () => openPostgresRegistry(url, { now, poolSize: 4 }),
  };
};

describe.skipIf(skipReason !== undefined)('PostgreSQL registry', () => {
  tenantStoreContract('postgres', makePostgresRegistry);
  apiKeyStoreContract('postgres', makePostgresRegistry);
  secretStoreContract('postgres', makePostgresRegistry);
  instanceFactStoreContract('postgres', makePostgresRegistry);
  wakeTimerStoreContract('postgres', makePostgresRegistry);
  instanceLeaseStoreContract('postgres', makePostgresRegistry);
  jobClaimStoreContract('postgres', makePostgresRegistry);
  webhookKeyStoreContract('postgres', makePostgresRegistry);

  it('migrates once when several gateways open the same database at the same time', async () => {
    const url = await (cluster as ThrowawayCluster).createDatabase('concurrent_open');
    const registries = await Promise.all([1, 2, 3].map(() => openPostgresRegistry(url, { poolSize: 2 })));
    await registries[0]?.tenants.create({ id: 'acme' });
    expect((await registries[2]?.tenants.list())?.map((t) => t.id)).toEqual(['acme']);
    for (const r of registries) await r.close();
  });

  it('names SILO_REGISTRY when the database cannot be reached at open', async () => {
    await expect(openPostgresRegistry('postgres://postgres@127.0.0.1:1/none')).rejects.toThrow(
      /SILO_REGISTRY: cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/none/,
    );
  });

  it('serves cached tenants and keys through an outage, refuses what it has not cached, and recovers', async () => {
    const c = cluster as ThrowawayCluster;
    const url = await c.createDatabase('outage');
    const registry = await openPostgresRegistry(url, { poolSize: 2 });
    try {
      await registry.tenants.create({ id: 'acme' });
      await registry.tenants.create({ id: 'beta' });
      const { key } = await registry.keys.create('acme', 'ci');
      expect(await registry.keys.verify(key)).toMatchObject({ tenantId: 'acme' });
      expect((await registry.tenants.get('acme'))?.id).toBe('acme');
      await c.kill();
      expect(await eventually(() => !registry.health().listening, 5_000)).toBe(true);
      expect(await registry.keys.verify(key)).toMatchObject({ tenantId: 'acme' });
      expect((await registry.tenants.get('acme'))?.id).toBe('acme');
      await expect(registry.tenants.get('beta')).rejects.toThrow(RegistryUnavailableError);
      expect(registry.health()).toMatchObject({ backend: 'postgres', reachable: false, listening: false });
      await c.restart();
      expect(await eventually(() => registry.health().listening, 10_000)).toBe(true);
      expect((await registry.tenants.get('beta'))?.id).toBe('beta');
      expect(registry.health().reachable).toBe(true);
    } finally {
      await registry.close();
    }
  }, 60_000);
});
