export { isTruthy } from './is-truthy.js';
export { evaluate, isTemplate, type RenderOptions, render, renderTyped, renderValue } from './render.js';
export { TemplateError, type TemplateErrorCode } from './template-error.js';
export type { TemplateCallContext, TemplateFunction } from './template-function.js';
export { toOutputString } from './to-output-string.js';
