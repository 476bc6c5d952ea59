#!/usr/bin/env node
// The `silo` command (`npx silo` after `npm install`, README "CLI"). A fresh
// clone has no gateway/dist: the compiled CLI exists only after a build. So
// this committed file builds the workspace first when the build output is
// missing or older than its sources, then runs the compiled CLI
// (gateway/dist/cli/silo.js) in this process. Build output goes to stderr, so
// `--json` output on stdout stays clean.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'gateway', 'dist', 'cli', 'silo.js');
/** The workspaces the CLI runs from (the gateway, what it imports, the instance it starts). */
const WORKSPACES = ['packages/contracts', 'packages/orchestrator', 'gateway'];
/** Bound on the files looked at, so that a stray huge folder cannot make the check slow. */
const MAX_FILES = 20_000;

/** Newest modification time under `dir`, in ms (0 when it does not exist). */
function newestUnder(dir) {
  let newest = 0;
  let seen = 0;
  const stack = [dir];
  while (stack.length > 0 && seen < MAX_FILES) {
    const current = stack.pop();
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      seen++;
      const path = join(current, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/** Why a build is needed, or undefined when every workspace's build is newer than its sources. */
function staleness() {
  if (!existsSync(cli)) return 'gateway/dist does not exist yet';
  for (const workspace of WORKSPACES) {
    const src = join(root, workspace, 'src');
    if (!existsSync(src)) continue; // not a source checkout: run what is there
    const info = join(root, workspace, 'dist', '.tsbuildinfo');
    if (!existsSync(info)) return `${workspace} has not been built`;
    if (newestUnder(src) > statSync(info).mtimeMs) return `${workspace}/src changed since the last build`;
  }
  return undefined;
}

const why = staleness();
if (why !== undefined) {
  if (!existsSync(join(root, 'gateway', 'src'))) {
    process.stderr.write(`silo: ${cli} is missing and there are no sources to build it from\n`);
    process.exit(1);
  }
  process.stderr.write(`silo: building first (${why}): npm run build\n`);
  const npm = process.env.npm_execpath;
  const [command, args] = npm ? [process.execPath, [npm, 'run', 'build']] : ['npm', ['run', 'build']];
  const built = spawnSync(command, args, { cwd: root, stdio: ['ignore', 2, 2] });
  if (built.status !== 0) {
    process.stderr.write(
      `silo: the build failed (${built.error?.message ?? `exit code ${built.status}`}); see above\n`,
    );
    process.exit(1);
  }
}
await import(pathToFileURL(cli).href);
