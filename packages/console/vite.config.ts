import { defineConfig } from 'vite';

// Served by the gateway under /ui/: hashed files in /ui/_assets/ ('_' is not allowed in a
// tenant id, so no tenant console path can collide with them). Preact's JSX through esbuild:
// no framework plugin needed.
export default defineConfig({
  base: '/ui/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    assetsDir: '_assets',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    // dist/.vite/manifest.json: the bundle-budget test walks it to find what the first page loads.
    manifest: true,
  },
});
