import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appEntries, productionClosure, sourceEntries } from './app-context.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('the orchestrator image context', () => {
  it('ships the production closure laid out as in the repo, workspaces linked as npm links them', () => {
    const closure = productionClosure(root, 'packages/orchestrator').map((p) => p.at);
    expect(closure).toContain('node_modules/better-sqlite3');
    expect(closure).toContain('node_modules/@silo/contracts');
    expect(closure).toContain('packages/contracts');
    expect(closure).not.toContain('node_modules/vitest');
    expect(closure).not.toContain('node_modules/dockerode');
  });

  it('includes built output and the native addon, not sources, tests or build leftovers', () => {
    const paths = appEntries(root, 'packages/orchestrator').map((e) => e.path);
    expect(paths).toContain('app/packages/orchestrator/dist/main.js');
    expect(paths).toContain('app/packages/contracts/dist/index.js');
    expect(paths).toContain('app/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(paths.some((p) => p.startsWith('app/node_modules/better-sqlite3/deps/'))).toBe(false);
    expect(paths.some((p) => p.startsWith('app/packages/') && p.endsWith('.test.js'))).toBe(false);
    expect(paths.some((p) => p.startsWith('app/packages/orchestrator/src/'))).toBe(false);
    const link = appEntries(root, 'packages/orchestrator').find(
      (e) => e.path === 'app/node_modules/@silo/contracts',
    );
    expect(link).toEqual({
      type: 'symlink',
      path: 'app/node_modules/@silo/contracts',
      target: '../../packages/contracts',
    });
  });

  it('gives the multi-stage build the lockfile, every workspace manifest and the sources it compiles', () => {
    const paths = sourceEntries(root, ['packages/contracts', 'packages/orchestrator']).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'package-lock.json',
        'gateway/package.json',
        'packages/orchestrator/src/main.ts',
      ]),
    );
    expect(paths.some((p) => p.endsWith('.test.ts'))).toBe(false);
  });
});
