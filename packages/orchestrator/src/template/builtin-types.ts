import type { CallArgs } from './call-args.js';
import type { TemplateCallContext } from './template-function.js';

/** A filter: `input | name(args)`. */
export type FilterFn = (input: unknown, args: CallArgs, context: TemplateCallContext) => unknown;

/** A test: `input is name(args)`. */
export type TestFn = (input: unknown, args: CallArgs) => boolean;

/** A built-in function: `name(args)`. */
export type BuiltinFunction = (args: CallArgs, context: TemplateCallContext) => unknown;
