/**
 * Hard bounds that keep a template from hanging or exhausting the process.
 * They are far above what any real flow needs: Kestra's own `render()` stops
 * after 100 passes (`VariableRenderer.MAX_RENDERING_AMOUNT`).
 */
export const LIMITS = {
  /** Items `range()` and `..` may produce. */
  maxRangeSize: 100_000,
  /** Loop iterations over one render, nested loops included. */
  maxIterations: 1_000_000,
  /** Characters of output of one render. */
  maxOutputLength: 16 * 1024 * 1024,
  /** Nesting of `render()` calls inside templates. */
  maxRenderDepth: 20,
  /** Passes of one recursive `render()` before giving up (Kestra: 100). */
  maxRenderPasses: 100,
  /** Nesting of expressions and tags in the parser. */
  maxParseDepth: 200,
  /** Characters of a template accepted by the parser. */
  maxTemplateLength: 4 * 1024 * 1024,
} as const;
