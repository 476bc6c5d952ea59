import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretStoreContract } from '../../secrets/secret-store.contract.js';
import { apiKeyStoreContract } from '../api-key-store.contract.js';
import { instanceFactStoreContract } from '../instance-fact-store.contract.js';
import type { MakeRegistry } from '../registry-contract-kit.js';
import { tenantStoreContract } from '../tenant-store.contract.js';
import { wakeTimerStoreContract } from '../wake-timer-store.contract.js';
import { webhookKeyStoreContract } from '../webhook-key-store.contract.js';
import { openSqliteRegistry } from './open-sqlite-registry.js';

/** A registry file in a fresh temp dir; a sibling is a second connection to it (another gateway process). */
const makeSqliteRegistry: MakeRegistry = ({ now }) => {
  const dir = mkdtempSync(join(tmpdir(), 'silo-registry-'));
  const path = join(dir, 'registry.db');
  return {
    registry: openSqliteRegistry(path, { now }),
    openSibling: () => openSqliteRegistry(path, { now }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
};

tenantStoreContract('sqlite', makeSqliteRegistry);
apiKeyStoreContract('sqlite', makeSqliteRegistry);
secretStoreContract('sqlite', makeSqliteRegistry);
instanceFactStoreContract('sqlite', makeSqliteRegistry);
wakeTimerStoreContract('sqlite', makeSqliteRegistry);
webhookKeyStoreContract('sqlite', makeSqliteRegistry);

/** `:memory:` (the unit tests' registry): the same contracts, without the other-writer scenarios. */
tenantStoreContract('sqlite :memory:', ({ now }) => ({ registry: openSqliteRegistry(':memory:', { now }) }));
apiKeyStoreContract('sqlite :memory:', ({ now }) => ({ registry: openSqliteRegistry(':memory:', { now }) }));

describe('openSqliteRegistry', () => {
  it('creates the file 0600 and reopens it with its data (migrations applied once)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'silo-registry-'));
    try {
      const path = join(dir, 'registry.db');
      const first = openSqliteRegistry(path);
      await first.tenants.create({ id: 'acme' });
      await first.close();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const again = openSqliteRegistry(path);
      expect((await again.tenants.list()).map((t) => t.id)).toEqual(['acme']);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
