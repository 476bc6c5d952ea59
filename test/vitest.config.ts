import { defineConfig } from 'vitest/config';
import { siloAliases } from '../vitest.aliases.js';

// End-to-end tests start real gateways, processes and containers: run the files
// one at a time so that they do not fight over the machine's two cores.
export default defineConfig({
  resolve: { alias: siloAliases },
  test: {
    include: ['**/*.test.ts'],
    // browser/ is a project of its own (vitest.config.ts at the root).
    exclude: ['node_modules/**', 'browser/**'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
