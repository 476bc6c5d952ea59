/**
 * The environment variables a task's child process may inherit from the
 * instance: enough to find programs and read text, nothing that could be a
 * secret. Everything else (SILO_INSTANCE_TOKEN, cloud credentials, ...) stays
 * in the instance; a task that needs a value passes it in its own `env`.
 */
export const INHERITED_ENV_NAMES: readonly string[] = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
];

/** Picks the allowed names out of an environment (`process.env` in production). */
export function pickInheritedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of INHERITED_ENV_NAMES) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * Builds a child's environment explicitly: the inherited allowlist, then the
 * task's `env` (which wins). Never a copy of the instance's own environment.
 *
 * @example
 * buildChildEnv({ PATH: '/usr/bin' }, { GREETING: 'hi' }); // { PATH: '/usr/bin', GREETING: 'hi' }
 */
export function buildChildEnv(
  inherited: Readonly<Record<string, string>>,
  taskEnv: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...inherited, ...taskEnv };
}
