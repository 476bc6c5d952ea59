import { fileURLToPath } from 'node:url';

/**
 * Tests import the workspaces' TypeScript sources, not their build output.
 * A subpath entry comes before its package: the first matching key wins, and
 * `@silo/gateway` would otherwise also match `@silo/gateway/testing`.
 */
export const siloAliases = {
  '@silo/contracts': fileURLToPath(new URL('./packages/contracts/src/index.ts', import.meta.url)),
  '@silo/orchestrator': fileURLToPath(new URL('./packages/orchestrator/src/index.ts', import.meta.url)),
  '@silo/gateway/testing': fileURLToPath(new URL('./gateway/src/testing.ts', import.meta.url)),
  '@silo/gateway': fileURLToPath(new URL('./gateway/src/index.ts', import.meta.url)),
};
