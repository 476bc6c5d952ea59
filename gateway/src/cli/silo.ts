#!/usr/bin/env node
import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import { buildProgram, describeCliError } from './program.js';

/**
 * The `silo` binary. `silo image build` comes from the Docker component
 * (`cli/image-command.ts`), registered when that file is built.
 */
async function main(): Promise<void> {
  const program = buildProgram({
    env: process.env,
    print: (line) => process.stdout.write(`${line}\n`),
    readStdin: () => text(process.stdin),
  });
  const image = await loadImageCommand();
  if (image) program.addCommand(image);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    process.stderr.write(`${describeCliError(err)}\n`);
    process.exitCode = 1;
  }
}

/** The `image` command of the Docker component, when present (it is built separately). */
async function loadImageCommand(): Promise<Command | undefined> {
  const specifier = './image-command.js';
  const mod = (await import(specifier).catch(() => undefined)) as Record<string, unknown> | undefined;
  for (const value of Object.values(mod ?? {})) {
    if (typeof value !== 'function') continue;
    try {
      const made = (value as () => unknown)();
      if (made && typeof made === 'object' && 'parseAsync' in made) return made as Command;
    } catch {}
  }
  return undefined;
}

void main();
