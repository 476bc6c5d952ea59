import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TenantUids } from './tenant-uids.js';

const root = process.getuid?.() === 0;
const RANGE = { first: 2_100_000, count: 10, gid: 2_099_999 };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!root)('TenantUids (needs root: it chowns)', () => {
  it('gives each tenant its own uid, recorded as the owner of its data folder (0700), and keeps it', async () => {
    const base = mkdtempSync(join(tmpdir(), 'silo-uids-'));
    dirs.push(base);
    const uids = new TenantUids(join(base, 'tenants'), RANGE);
    const [a, b] = await Promise.all([uids.prepare('alpha'), uids.prepare('bravo')]);
    expect(new Set([a, b]).size).toBe(2);
    for (const [id, uid] of [
      ['alpha', a],
      ['bravo', b],
    ] as const) {
      const data = statSync(join(base, 'tenants', id, 'data'));
      expect({ uid: data.uid, mode: data.mode & 0o777 }).toEqual({ uid, mode: 0o700 });
      expect(statSync(join(base, 'tenants', id)).mode & 0o777).toBe(0o710);
    }
    // Above the data: the sandbox group may pass through, other users of the host may not.
    for (const folder of [base, join(base, 'tenants')]) {
      const s = statSync(folder);
      expect({ gid: s.gid, groupX: (s.mode & 0o010) !== 0, otherX: (s.mode & 0o001) !== 0 }).toEqual({
        gid: RANGE.gid,
        groupX: true,
        otherX: false,
      });
    }
    expect(await uids.prepare('alpha')).toBe(a);
    // Another gateway over the same folder reads the same allocation from the owners.
    expect(await new TenantUids(join(base, 'tenants'), RANGE).prepare('bravo')).toBe(b);
  });

  it('hands over data written before sandboxing (owned by the gateway), files included', async () => {
    const base = mkdtempSync(join(tmpdir(), 'silo-uids-'));
    dirs.push(base);
    mkdirSync(join(base, 'tenants', 'legacy', 'data', 'nested'), { recursive: true });
    writeFileSync(join(base, 'tenants', 'legacy', 'data', 'nested', 'silo.db'), 'x');
    const uid = await new TenantUids(join(base, 'tenants'), RANGE).prepare('legacy');
    expect(statSync(join(base, 'tenants', 'legacy', 'data', 'nested', 'silo.db')).uid).toBe(uid);
  });

  it('says so when the range is exhausted', async () => {
    const base = mkdtempSync(join(tmpdir(), 'silo-uids-'));
    dirs.push(base);
    const uids = new TenantUids(join(base, 'tenants'), { ...RANGE, count: 1 });
    await uids.prepare('one');
    await expect(uids.prepare('two')).rejects.toThrow('no free uid left in 2100000..2100000');
  });
});
