import { describe, expect, it } from 'vitest';
import { findBusybox, parseAppletList } from './busybox.js';
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

describe('the shell of the offline base', () => {
  const busybox = findBusybox();
  it('parses busybox --list-full into applet paths, without the binary itself', () => {
    const out = 'bin/busybox\nbin/sh\nusr/bin/awk\nusr/bin/[\nsbin/ifconfig\n\nnot a path\n../etc/passwd\n';
    expect(parseAppletList(out)).toEqual(['bin/sh', 'sbin/ifconfig', 'usr/bin/[', 'usr/bin/awk']);
  });

  it('can be left out (shell: false): no /bin/sh, no busybox', async () => {
    const plan = await planOfflineBase({ shell: false });
    expect(plan.shell).toBeUndefined();
    expect(plan.entries.some((e) => e.path === 'bin/sh' || e.path === 'bin/busybox')).toBe(false);
  });

  // Debian's busybox-static: installed by .ci/run, so CI never skips this.
  it.skipIf(busybox === undefined)(
    'ships busybox with /bin/sh and the common utilities linked to it; the hash changes with it',
    async () => {
      const plan = await planOfflineBase({ shell: busybox! });
      const byPath = new Map(plan.entries.map((e) => [e.path, e]));
      expect(byPath.get('bin/busybox')).toMatchObject({ type: 'file', mode: 0o755 });
      for (const tool of ['bin/sh', 'bin/ls', 'bin/cat', 'bin/echo', 'bin/grep', 'bin/sed', 'usr/bin/awk']) {
        expect(byPath.get(tool)).toEqual({ type: 'symlink', path: tool, target: '/bin/busybox' });
      }
      for (const tool of ['mkdir', 'rm', 'cp', 'mv', 'wc', 'head', 'tail', 'sort', 'env', 'date', 'sleep']) {
        expect(plan.shell?.applets.some((a) => a.endsWith(`bin/${tool}`))).toBe(true);
      }
      for (const tool of ['tr', 'cut', 'xargs', 'find']) {
        expect(plan.shell?.applets.some((a) => a.endsWith(`bin/${tool}`))).toBe(true);
      }
      expect(plan.shell?.version).toMatch(/^\d+\.\d+/);
      expect(paths(plan)).not.toEqual(paths(await planOfflineBase({ shell: false })));
      expect((await planOfflineBase({ shell: false })).hash).not.toBe(plan.hash);
    },
  );
});

const paths = (plan: { entries: { path: string }[] }) => plan.entries.map((e) => e.path);
