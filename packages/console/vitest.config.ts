import { defineConfig } from 'vitest/config';

// Unit tests of the console's pure parts (topology, inputs, SSE parsing) and the bundle budget.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
