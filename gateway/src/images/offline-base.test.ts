import { describe, expect, it } from 'vitest';
import { parseLdd, planOfflineBase, SILO_USER } from './offline-base.js';

describe('parseLdd', () => {
  it('keeps resolved libraries and the loader, not the vDSO', () => {
    const out = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f66)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f66)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f66)',
    ].join('\n');
    expect(parseLdd(out)).toEqual([
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });
});

describe('planOfflineBase', () => {
  it('ships this host’s node, its libraries, a non-root user and a writable /tmp; the hash is stable', async () => {
    const plan = await planOfflineBase();
    expect(plan.nodeVersion).toBe(process.versions.node);
    const paths = plan.entries.map((e) => e.path);
    expect(paths).toContain('usr/local/bin/node');
    expect(paths).toContain('etc/passwd');
    expect(plan.entries.find((e) => e.path === 'tmp')).toMatchObject({ type: 'dir', mode: 0o1777 });
    expect(plan.entries.find((e) => e.path === 'data')).toMatchObject({ uid: SILO_USER.uid });
    // Parents come before children, so the archive extracts in one pass.
    expect(paths.indexOf('usr')).toBeLessThan(paths.indexOf('usr/local/bin/node'));
    expect((await planOfflineBase()).hash).toBe(plan.hash);
  });
});
