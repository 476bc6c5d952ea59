/**
 * One input's value is wrong. `message` is Kestra's middle part
 * ("it must be more than `10`"); `resolveInputs` wraps it as
 * "Invalid input for `id`, <message>, but received `<value>`".
 */
export class InputFailure extends Error {
  override readonly name = 'InputFailure';
}

/** How Java's `toString` shows a raw input value inside Kestra's messages. */
export function javaString(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(javaString).join(', ')}]`;
  if (value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${javaString(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}
