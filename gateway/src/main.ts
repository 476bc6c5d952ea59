#!/usr/bin/env node
import { buildProgram, describeCliError } from './cli/program.js';

/**
 * The gateway's entry (`node gateway/dist/main.js serve [flags]`, what
 * `npm start` runs): the `serve` command of the `silo` CLI, with `serve`
 * optional. Settings: environment → zod (config.ts) → flags override.
 */
const args = process.argv.slice(2);
if (args[0] !== 'serve') args.unshift('serve');
buildProgram({
  env: process.env,
  print: (line) => process.stdout.write(`${line}\n`),
  readStdin: async () => '',
})
  .parseAsync(args, { from: 'user' })
  .catch((err: unknown) => {
    process.stderr.write(`${describeCliError(err)}\n`);
    process.exit(1);
  });
