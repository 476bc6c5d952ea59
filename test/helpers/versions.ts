import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The orchestrator bundle of this build (`npm run build`). */
export const BUILT_BUNDLE = fileURLToPath(
  new URL('../../packages/orchestrator/dist/bundle/main.js', import.meta.url),
);

/** Where the bundle's `migrate()` starts: the broken version's migrations are added there. */
const MIGRATE_START = 'if (from > MIGRATIONS.length) {';

/**
 * A deliberately broken orchestrator version made from the built bundle:
 * two migrations appended, the first commits (it wipes the KV store and
 * bumps the schema version, so the old version can no longer open the file
 * as it is), the second throws. Written as `<dir>/main.js`; returns `dir`.
 */
export function brokenBundle(dir: string): string {
  const source = readFileSync(BUILT_BUNDLE, 'utf8');
  if (!source.includes(MIGRATE_START))
    throw new Error(`the bundle has no "${MIGRATE_START}": update the test helper`);
  const broken = source.replace(
    MIGRATE_START,
    `MIGRATIONS.push({ name: '9001_wipe_kv', sql: 'DELETE FROM kv_entries;' }, { name: '9002_broken', sql: 'SELECT x FROM no_such_table_on_purpose;' });\n  ${MIGRATE_START}`,
  );
  writeFileSync(join(dir, 'main.js'), broken);
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
