import { defineConfig } from 'vitest/config';

// One vitest run over every workspace; each workspace keeps its own config
// (timeouts differ: unit tests are fast, end-to-end tests start real processes).
export default defineConfig({
  test: {
    projects: [
      'packages/contracts',
      'packages/orchestrator',
      'packages/console',
      'gateway',
      'test',
      'test/browser',
    ],
  },
});
