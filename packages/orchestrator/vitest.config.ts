import { defineConfig } from 'vitest/config';
import { siloAliases } from '../../vitest.aliases.js';

export default defineConfig({
  resolve: { alias: siloAliases },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
