/**
 * Why a template could not be rendered:
 * - `UNDEFINED_VARIABLE`: strict mode met a variable or attribute that does not exist;
 * - `SYNTAX`: the template or expression does not parse;
 * - `FUNCTION`: a filter, function or test failed (bad argument, unparsable date, ...);
 * - `TYPE`: an operator got operands it cannot combine (`'a' * 2`);
 * - `FORBIDDEN`: the template tried to reach past its data (`constructor`, `__proto__`, a method call);
 * - `LIMIT`: a bound was hit (range size, loop iterations, output size, render depth).
 */
export type TemplateErrorCode = 'UNDEFINED_VARIABLE' | 'SYNTAX' | 'FUNCTION' | 'TYPE' | 'FORBIDDEN' | 'LIMIT';

/**
 * A template failed to parse or render. `expression` is the whole template
 * (Kestra names it the same way); `line` is 1-based; `column` and `position`
 * (0-based offset) are set where the failing token is known.
 *
 * @example
 * ```ts
 * try {
 *   render('{{ inputs.invalid }}', {});
 * } catch (e) {
 *   if (e instanceof TemplateError && e.code === 'UNDEFINED_VARIABLE') console.log(e.message);
 *   // Unable to find `inputs` used in the expression `{{ inputs.invalid }}` at line 1
 * }
 * ```
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  readonly code: TemplateErrorCode;
  readonly expression: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly position: number | undefined;
  /** UNDEFINED_VARIABLE: the name that was not found. */
  readonly variable: string | undefined;

  constructor(
    code: TemplateErrorCode,
    message: string,
    details: {
      expression: string;
      line?: number;
      column?: number;
      position?: number;
      variable?: string;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.expression = details.expression;
    this.line = details.line;
    this.column = details.column;
    this.position = details.position;
    this.variable = details.variable;
  }
}
