#!/usr/bin/env node
import { text } from 'node:stream/consumers';
import { imageCommand } from './image-command.js';
import { buildProgram, describeCliError } from './program.js';

/** The `silo` binary: the admin CLI plus `silo image build` from the Docker component (`cli/image-command.ts`). */
async function main(): Promise<void> {
  const program = buildProgram({
    env: process.env,
    print: (line) => process.stdout.write(`${line}\n`),
    readStdin: () => text(process.stdin),
  });
  program.addCommand(imageCommand());
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    process.stderr.write(`${describeCliError(err)}\n`);
    process.exitCode = 1;
  }
}

void main();
