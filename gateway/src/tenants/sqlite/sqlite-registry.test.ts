import { chmodSync, copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { secretStoreContract } from '../../secrets/secret-store.contract.js';
import { apiKeyStoreContract } from '../api-key-store.contract.js';
import { instanceFactStoreContract } from '../instance-fact-store.contract.js';
import type { MakeRegistry } from '../registry-contract-kit.js';
import { tenantStoreContract } from '../tenant-store.contract.js';
import { wakeTimerStoreContract } from '../wake-timer-store.contract.js';
import { webhookKeyStoreContract } from '../webhook-key-store.contract.js';
import { openSqliteRegistry } from './open-sqlite-registry.js';
import { SqliteRegistryDatabase } from './registry-database.js';
import { REGISTRY_MIGRATIONS } from './registry-migrations.js';

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

  it('refuses a registry.db a newer gateway migrated, naming both migration numbers, and leaves it as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'silo-registry-'));
    try {
      const path = join(dir, 'registry.db');
      await openSqliteRegistry(path).close();
      const newer = new Database(path);
      newer.pragma(`user_version = ${REGISTRY_MIGRATIONS.length + 1}`);
      newer.close();
      expect(() => openSqliteRegistry(path)).toThrow(
        `the SQLite registry is at migration ${REGISTRY_MIGRATIONS.length + 1}, newer than this gateway knows (${REGISTRY_MIGRATIONS.length}): upgrade the gateway`,
      );
      const after = new Database(path, { readonly: true });
      expect(after.pragma('user_version', { simple: true })).toBe(REGISTRY_MIGRATIONS.length + 1);
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the file and its -wal and -shm 0600 while open, narrowing ones left 0644 (a copy, older code)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'silo-registry-'));
    try {
      const path = join(dir, 'registry.db');
      const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
      const first = openSqliteRegistry(path);
      await first.tenants.create({ id: 'acme' });
      expect([mode(path), mode(`${path}-wal`), mode(`${path}-shm`)]).toEqual(['600', '600', '600']);
      // A second connection keeps the WAL files in place (the last one to close removes them).
      const held = new Database(path);
      held.prepare('SELECT count(*) FROM tenants').get();
      await first.close();
      for (const file of [path, `${path}-wal`, `${path}-shm`]) chmodSync(file, 0o644);
      const again = openSqliteRegistry(path);
      held.close();
      await again.tenants.create({ id: 'again' });
      expect([mode(path), mode(`${path}-wal`), mode(`${path}-shm`)]).toEqual(['600', '600', '600']);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the tenants of a registry made before dialects Kestra 1.3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'silo-registry-'));
    try {
      const path = join(dir, 'registry.db');
      const old = new Database(path);
      old.exec(REGISTRY_MIGRATIONS[0] as string);
      old.pragma('user_version = 1');
      old
        .prepare(
          `INSERT INTO tenants (id, name, state, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)`,
        )
        .run('before', 'before', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
      old.close();
      const registry = openSqliteRegistry(path);
      expect((await registry.tenants.get('before'))?.kestraVersion).toBe('1.3');
      expect((await registry.tenants.create({ id: 'after' })).kestraVersion).toBe('2.0');
      registry.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds the whole schema from its numbered migrations alone (webhook keys, dialect, pinned version)', () => {
    const db = new SqliteRegistryDatabase(':memory:');
    try {
      expect(db.stmt('PRAGMA user_version').pluck().get()).toBe(REGISTRY_MIGRATIONS.length);
      expect(tableNames(db)).toEqual(expect.arrayContaining(['webhook_keys', 'webhook_reports']));
      expect(columnsOf(db, 'tenants')).toEqual(expect.arrayContaining(['kestra_version', 'version']));
    } finally {
      db.close();
    }
  });

  it('migrates a registry.db made by the code before migrations 2 and 3 (tables and columns added ad hoc), losing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'silo-registry-'));
    try {
      const path = join(dir, 'registry.db');
      // Made by the gateway of commit 3d76ae0: user_version 1, the webhook tables and the
      // kestra_version/version columns created by the stores' constructors; tenants "before"
      // (1.3, a key "old", one webhook key hash) and "pinned" (2.0, version 0.1.0).
      copyFileSync(join(TESTDATA, 'registry-made-at-migration-1.db'), path);
      const db = new SqliteRegistryDatabase(path);
      expect(db.stmt('PRAGMA user_version').pluck().get()).toBe(REGISTRY_MIGRATIONS.length);
      db.close();
      const registry = openSqliteRegistry(path);
      expect(await registry.tenants.get('before')).toMatchObject({ kestraVersion: '1.3', version: null });
      expect(await registry.tenants.get('pinned')).toMatchObject({ kestraVersion: '2.0', version: '0.1.0' });
      expect((await registry.keys.list('before')).map((k) => k.name)).toEqual(['old']);
      expect(await registry.webhookKeys.lookup('before', 'a'.repeat(64))).toBe('known');
      expect(await registry.webhookKeys.lookup('pinned', 'a'.repeat(64))).toBe('unreported');
      await registry.close();
      const fresh = new SqliteRegistryDatabase(':memory:');
      const migrated = new SqliteRegistryDatabase(path);
      expect(columnsOf(migrated, 'tenants').sort()).toEqual(columnsOf(fresh, 'tenants').sort());
      expect(tableNames(migrated)).toEqual(tableNames(fresh));
      fresh.close();
      migrated.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), 'testdata');

function tableNames(db: SqliteRegistryDatabase): string[] {
  return db
    .stmt("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
}

function columnsOf(db: SqliteRegistryDatabase, table: string): string[] {
  return db.stmt(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[];
}
