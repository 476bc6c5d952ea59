/**
 * What a function called from a template (`kv('key')`, `secret('name')`,
 * `currentEachOutput(outputs.x)`) receives besides its arguments.
 */
export type TemplateCallContext = {
  /** The root variables of this render (`inputs`, `outputs`, `taskrun`, `parents`, ...). */
  variables: Readonly<Record<string, unknown>>;
  /** Renders a string with the same variables, functions and limits (depth counted). */
  render(template: string): string;
  /** The clock of this render. */
  now(): Date;
};

/**
 * A function that templates can call by name. Arguments arrive evaluated:
 * positional ones in order, named ones (`kv('k', errorOnMissing=false)`) in
 * `named`. Throw to fail the render: the error's message is kept and the
 * renderer wraps it in a `TemplateError` with code `FUNCTION`.
 *
 * @example
 * ```ts
 * const kv: TemplateFunction = ([key]) => store.get(String(key));
 * render("{{ kv('my-key').field }}", ctx, { functions: { kv } });
 * ```
 */
export type TemplateFunction = (
  args: unknown[],
  named: Record<string, unknown>,
  context: TemplateCallContext,
) => unknown;
