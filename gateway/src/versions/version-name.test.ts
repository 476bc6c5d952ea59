import { describe, expect, it } from 'vitest';
import { compareVersions, newestVersion, VersionNameSchema } from './version-name.js';

describe('version names', () => {
  it('orders numerically, pre-releases before their release', () => {
    expect(['1.0.0', '0.10.0', '1.0.0-rc.2', '0.9.1', '1.0.0-rc.10', '0.9'].sort(compareVersions)).toEqual([
      '0.9',
      '0.9.1',
      '0.10.0',
      '1.0.0-rc.2',
      '1.0.0-rc.10',
      '1.0.0',
    ]);
    expect(newestVersion(['0.1.0', '0.2.0-test', '0.1.10'])).toBe('0.2.0-test');
    expect(newestVersion([])).toBeUndefined();
  });

  it('accepts names usable as folders and Docker tags only', () => {
    for (const ok of ['0.1.0', '0.2.0-rc.1', 'v2', 'canary_3'])
      expect(VersionNameSchema.safeParse(ok).success).toBe(true);
    for (const bad of ['', '../x', '.hidden', 'a/b', 'a b', 'x'.repeat(65), '-1'])
      expect(VersionNameSchema.safeParse(bad).success).toBe(false);
  });
});
