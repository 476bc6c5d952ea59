#!/usr/bin/env node
// Bundles the instance's entry (dist/main.js, compiled by `tsc -b`) and every
// module it imports into one file, dist/bundle/main.js, which the process
// driver and the orchestrator image start. Node then reads and compiles one
// file instead of resolving and loading a few hundred (the orchestrator's and
// contracts' dist/, hono, zod, yaml, pino, croner, nanoid): module loading was
// most of an instance's cold start (see bench/RESULTS.md).
//
// better-sqlite3 stays outside (a native addon, loaded from node_modules as
// before), and so does date-holidays (about half the bundle's bytes: its
// calendars, moment-timezone, astronomia), which triggers/calendar-conditions.ts
// requires on the first PublicHoliday condition instead of at boot. Beside it, inputs.json lists the workspace files it was made
// from, relative to the repo root. CommonJS dependencies (pino) call `require`, which an ES module
// does not have: the banner makes one.
import { rmSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const outfile = `${dist}bundle/main.js`;
rmSync(`${dist}bundle`, { recursive: true, force: true });
const result = await build({
  entryPoints: [`${dist}main.js`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'date-holidays'],
  banner: {
    js: "import { createRequire as __siloCreateRequire } from 'node:module'; const require = __siloCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
// The workspace files it was made from (not node_modules): the process driver
// starts the bundle only while none of them is newer (a later `tsc -b`).
const root = fileURLToPath(new URL('../../../', import.meta.url));
const sources = Object.keys(result.metafile.inputs)
  .map((input) => relative(root, resolve(input)).split('\\').join('/'))
  .filter((path) => !path.includes('node_modules/'));
writeFileSync(`${dist}bundle/inputs.json`, `${JSON.stringify(sources, null, 1)}\n`);
const inputs = Object.keys(result.metafile.inputs).length;
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes;
process.stdout.write(`bundled ${inputs} modules into ${outfile} (${(bytes / 1024).toFixed(0)} KB)\n`);
