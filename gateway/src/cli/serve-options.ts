import { type Command, Option } from 'commander';
import { z } from 'zod';
import { SETTINGS, type Setting } from '../config.js';

/** `SILO_IDLE_TIMEOUT` → `idle-timeout`. */
const flagName = (env: string) => env.slice('SILO_'.length).toLowerCase().replaceAll('_', '-');

/** A switch whose default is on is offered as `--no-<name>`, one whose default is off as `--<name>`. */
const switchedOffByFlag = (s: Setting) => s.default === '1';

function helpOf(s: Setting): string {
  const fallback = s.defaultHelp ?? (s.flag === 'switch' ? (s.default === '1' ? 'on' : 'off') : s.default);
  return `${s.help} (${s.env}, default ${fallback})`;
}

/** The commander option of one setting, or undefined for an environment-only setting. */
function optionOf(s: Setting): Option | undefined {
  if (s.flag === undefined) return undefined;
  const name = flagName(s.env);
  if (s.flag === 'switch') {
    return new Option(switchedOffByFlag(s) ? `--no-${name}` : `--${name}`, helpOf(s));
  }
  const option = new Option(`--${name} ${s.flag}`, helpOf(s));
  return s.schema instanceof z.ZodEnum ? option.choices(s.schema.options.map(String)) : option;
}

/**
 * Adds one `silo serve` flag per setting that declares one (config.ts
 * `SETTINGS`), with its help and default from the same entry. A flag the
 * parent program already has (`--data-dir`) is not added twice: it is read
 * from the parent.
 *
 * @example
 * addSettingFlags(program.command('serve'), program);
 */
export function addSettingFlags(serve: Command, parent: Command): Command {
  for (const s of Object.values(SETTINGS) as Setting[]) {
    const option = optionOf(s);
    if (option === undefined) continue;
    if (parent.options.some((o) => o.long === option.long)) continue;
    serve.addOption(option);
  }
  return serve;
}

/**
 * The flags given on this command line, as overrides by variable name
 * (`{ SILO_PORT: '9090', SILO_DEMO: '0' }`). Flags left out are absent, so
 * the environment and the declared defaults apply.
 *
 * @example
 * loadGatewayConfig(process.env, settingOverrides(serveCommand, program));
 */
export function settingOverrides(serve: Command, parent: Command): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const s of Object.values(SETTINGS) as Setting[]) {
    const option = optionOf(s);
    if (option === undefined) continue;
    const key = option.attributeName();
    const from = serve.options.some((o) => o.long === option.long) ? serve : parent;
    if (from.getOptionValueSource(key) !== 'cli') continue;
    const value: unknown = from.getOptionValue(key);
    overrides[s.env] = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  }
  return overrides;
}
