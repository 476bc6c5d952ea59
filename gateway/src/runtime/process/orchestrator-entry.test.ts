import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { orchestratorCommand } from './orchestrator-entry.js';

// The stamp as the bundle step writes it (packages/orchestrator/scripts/snapshot.mjs), for this node.
const SNAPSHOT_SCRIPT = pathToFileURL(
  join(import.meta.dirname, '../../../../packages/orchestrator/scripts/snapshot.mjs'),
);
const { blobStamp } = (await import(SNAPSHOT_SCRIPT.href)) as { blobStamp: () => Record<string, unknown> };

describe('orchestratorCommand', () => {
  let root: string;
  let bundle: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'silo-entry-'));
    bundle = join(root, 'packages', 'orchestrator', 'dist', 'bundle');
    mkdirSync(bundle, { recursive: true });
    writeFileSync(join(root, 'packages', 'orchestrator', 'dist', 'main.js'), '');
    writeFileSync(join(bundle, 'main.js'), '');
    writeFileSync(join(bundle, 'inputs.json'), '[]');
    writeFileSync(join(bundle, 'instance.blob'), 'blob');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const stamp = (over: Record<string, unknown> = {}) =>
    writeFileSync(join(bundle, 'blob.json'), JSON.stringify({ ...blobStamp(), ...over }));

  it('starts the snapshot when this very node binary built it', () => {
    stamp();
    expect(orchestratorCommand(root)).toEqual([
      process.execPath,
      '--snapshot-blob',
      join(bundle, 'instance.blob'),
    ]);
  });

  it('falls back to the bundle when the blob is of another node, absent, or older than the bundle', () => {
    const bundleOnly = [process.execPath, join(bundle, 'main.js')];
    stamp({ node: 'v20.0.0' });
    expect(orchestratorCommand(root)).toEqual(bundleOnly);
    stamp({ execSize: 1 });
    expect(orchestratorCommand(root)).toEqual(bundleOnly);
    rmSync(join(bundle, 'blob.json'));
    expect(orchestratorCommand(root)).toEqual(bundleOnly);
    stamp();
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(bundle, 'instance.blob'), past, past);
    expect(orchestratorCommand(root)).toEqual(bundleOnly);
  });

  it('starts dist/main.js, never the blob, when the bundle is out of date', () => {
    stamp();
    writeFileSync(join(bundle, 'inputs.json'), '["packages/orchestrator/dist/main.js"]');
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'packages', 'orchestrator', 'dist', 'main.js'), future, future);
    expect(orchestratorCommand(root)).toEqual([
      process.execPath,
      join(root, 'packages', 'orchestrator', 'dist', 'main.js'),
    ]);
  });
});
