/**
 * What the executor and the worker need from the template engine: strict
 * rendering (an undefined variable throws) of one string or of every string
 * inside a value. The composition root adapts `template/` to it.
 */
export type Expressions = {
  render(template: string, variables: Record<string, unknown>): string;
  renderValue(value: unknown, variables: Record<string, unknown>): unknown;
};

/**
 * Kestra's truthiness of a rendered condition (`TruthUtils`): empty,
 * `false`, `0`, `-0` and `null` are false; everything else is true.
 *
 * @example
 * isTruthy(' false '); // false
 */
export function isTruthy(rendered: string): boolean {
  const v = rendered.trim().toLowerCase();
  return !(v === '' || v === 'false' || v === '0' || v === '-0' || v === 'null' || v === '0.0');
}
