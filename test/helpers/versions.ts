import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The orchestrator bundle of this build (`npm run build`). */
export const BUILT_BUNDLE = fileURLToPath(
  new URL('../../packages/orchestrator/dist/bundle/main.js', import.meta.url),
);

/**
 * Where the bundle's `migrate()` starts: the broken version's migrations are
 * added there. The bundle is minified (scripts/bundle.mjs): whitespace gone.
 */
const MIGRATE_START = 'if(from>MIGRATIONS.length)';

/**
 * A deliberately broken orchestrator version made from the built bundle:
 * two migrations appended, the first commits (it wipes the KV store and
 * bumps the schema version, so the old version can no longer open the file
 * as it is), the second throws. Written as `<dir>/main.js` (the entry, as
 * built) beside its changed `<dir>/instance.cjs` (no code cache: V8 would
 * refuse it for another source); returns `dir`.
 */
export function brokenBundle(dir: string): string {
  writeFileSync(join(dir, 'main.js'), readFileSync(BUILT_BUNDLE));
  const source = readFileSync(join(dirname(BUILT_BUNDLE), 'instance.cjs'), 'utf8');
  if (!source.includes(MIGRATE_START))
    throw new Error(`the bundle has no "${MIGRATE_START}": update the test helper`);
  const broken = source.replace(
    MIGRATE_START,
    `MIGRATIONS.push({ name: '9001_wipe_kv', sql: 'DELETE FROM kv_entries;' }, { name: '9002_broken', sql: 'SELECT x FROM no_such_table_on_purpose;' });${MIGRATE_START}`,
  );
  writeFileSync(join(dir, 'instance.cjs'), broken);
  return dir;
}

/** The command line of a running process (Linux), '' when gone. */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
