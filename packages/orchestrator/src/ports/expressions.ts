/**
 * What the executor and the worker need from the template engine: strict
 * rendering (an undefined variable throws) of one string or of every string
 * inside a value. The runner adapts `template/` to it.
 */
export type Expressions = {
  render(template: string, variables: Record<string, unknown>): string;
  renderValue(value: unknown, variables: Record<string, unknown>): unknown;
};
