import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../config.js';
import { buildProgram } from './program.js';
import { addSettingFlags, settingOverrides } from './serve-options.js';

/** A program shaped like `silo` (a global `--data-dir`) whose `serve` records its overrides. */
async function parse(args: string[]): Promise<Record<string, string>> {
  const program = new Command('silo').option('--data-dir <dir>').exitOverride();
  let seen: Record<string, string> = {};
  const serve = program
    .command('serve')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  addSettingFlags(serve, program).action(() => {
    seen = settingOverrides(serve, program);
  });
  await program.parseAsync(args, { from: 'user' });
  return seen;
}

describe('silo serve flags, derived from the settings table', () => {
  it('turns the flags given into overrides by variable name, and only those', async () => {
    expect(await parse(['serve'])).toEqual({});
    expect(
      await parse([
        'serve',
        '--port',
        '9090',
        '--idle-timeout',
        '1m',
        '--no-demo',
        '--metrics-per-tenant',
        '--data-dir',
        'x',
      ]),
    ).toEqual({
      SILO_PORT: '9090',
      SILO_IDLE_TIMEOUT: '1m',
      SILO_DEMO: '0',
      SILO_METRICS_PER_TENANT: '1',
      SILO_DATA_DIR: 'x',
    });
    expect(await parse(['--data-dir', 'y', 'serve', '--stop-instances-on-exit'])).toEqual({
      SILO_DATA_DIR: 'y',
      SILO_STOP_INSTANCES_ON_EXIT: '1',
    });
  });

  it('refuses a value outside an enum setting', async () => {
    await expect(parse(['serve', '--runtime', 'k8s'])).rejects.toThrow(
      /Allowed choices are process, docker, swarm, auto/,
    );
  });

  it('documents each flag with its variable and default; secrets have no flag', () => {
    const program = buildProgram({ env: {}, print: () => undefined, readStdin: async () => '' });
    const serve = program.commands.find((c) => c.name() === 'serve');
    const help = (serve?.helpInformation() ?? '').replace(/\s+/g, ' ');
    expect(help).toMatch(
      /--idle-timeout <duration> idle time before an instance is drained and stopped \(SILO_IDLE_TIMEOUT, default 5m\)/,
    );
    expect(help).toMatch(
      /--no-demo create the demo tenant on an empty registry at start \(0 skips it\) \(SILO_DEMO, default on\)/,
    );
    expect(help).not.toMatch(/admin-token|metrics-token/);
  });

  it('README lists every setting', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const missing = Object.values(SETTINGS)
      .map((s) => s.env)
      .filter((env) => !readme.includes(`\`${env}\``));
    expect(missing).toEqual([]);
  });
});
