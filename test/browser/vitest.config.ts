import { defineConfig } from 'vitest/config';
import { siloAliases } from '../../vitest.aliases.js';

// The console in real Chromium (Debian's, driven by playwright-core) against a real gateway
// and real orchestrator processes on 127.0.0.1. One file at a time: a browser and two
// instances already fill this 2-core machine.
export default defineConfig({
  resolve: { alias: siloAliases },
  test: {
    name: 'browser',
    include: ['**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
