import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

type Chunk = {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
  isEntry?: boolean;
};

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const BUDGET = 200 * 1024;

/** Files a page loads: the entry, then (for each chunk) its static imports and CSS, plus the named lazy chunks. */
function firstPage(manifest: Record<string, Chunk>, lazy: string[]): Set<string> {
  const files = new Set<string>(['index.html']);
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const dep of chunk.imports ?? []) visit(dep);
  };
  visit('index.html');
  for (const key of lazy) visit(key);
  return files;
}

describe('console bundle budget (issue 15: first page ≤ 200 KB gzipped, editor on demand)', () => {
  const manifestPath = join(dist, '.vite', 'manifest.json');
  it('keeps the first page of each console under budget', () => {
    expect(existsSync(manifestPath), 'the console is not built: run `npm run build`').toBe(true);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, Chunk>;
    const editor = Object.values(manifest).find((c) => c.file.includes('yaml-editor'));
    expect(editor, 'the YAML editor is a chunk of its own').toBeDefined();
    for (const [page, lazy] of [
      ['tenant console', ['src/tenant/tenant-app.tsx']],
      ['operator dashboard', ['src/admin/admin-app.tsx']],
    ] as const) {
      const files = firstPage(manifest, [...lazy]);
      expect([...files].some((f) => f.includes('yaml-editor') || f.includes('dagre'))).toBe(false);
      const gzipped = [...files].reduce((n, f) => n + gzipSync(readFileSync(join(dist, f))).length, 0);
      console.log(`${page}: first page ${files.size} files, ${(gzipped / 1024).toFixed(1)} KB gzipped`);
      expect(gzipped).toBeLessThanOrEqual(BUDGET);
    }
  });
});
