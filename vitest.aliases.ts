import { fileURLToPath } from 'node:url';

/** Tests import the workspaces' TypeScript sources, not their build output. */
export const siloAliases = {
  '@silo/contracts': fileURLToPath(new URL('./packages/contracts/src/index.ts', import.meta.url)),
  '@silo/orchestrator': fileURLToPath(new URL('./packages/orchestrator/src/index.ts', import.meta.url)),
  '@silo/gateway': fileURLToPath(new URL('./gateway/src/index.ts', import.meta.url)),
};
