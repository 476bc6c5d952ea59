/**
 * The evaluated arguments of a filter, function or test: positional ones in
 * order and named ones (`date(format='yyyy', timeZone='UTC')`). A parameter is
 * read by its position or its name, as Pebble binds `getArgumentNames()`.
 */
export class CallArgs {
  constructor(
    readonly positional: unknown[],
    readonly named: ReadonlyMap<string, unknown>,
  ) {}

  /** The argument at `index`, or the one called `name`; `undefined` when absent. */
  get(index: number, name: string): unknown {
    if (this.named.has(name)) return this.named.get(name);
    return this.positional[index];
  }

  has(index: number, name: string): boolean {
    return this.named.has(name) || index < this.positional.length;
  }

  /** Positional arguments plus named ones as a plain record (for engine-supplied functions). */
  namedRecord(): Record<string, unknown> {
    return Object.fromEntries(this.named);
  }
}

/**
 * Thrown by filters, functions and tests; the renderer turns it into a
 * `TemplateError` that names the template and the line.
 */
export class FilterFailure extends Error {
  override readonly name = 'FilterFailure';
  constructor(
    message: string,
    readonly code: 'FUNCTION' | 'TYPE' | 'LIMIT' | 'FORBIDDEN' = 'FUNCTION',
  ) {
    super(message);
  }
}
