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
