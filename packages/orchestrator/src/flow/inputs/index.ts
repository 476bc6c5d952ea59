export type { UploadedFile } from './parse-input-value.js';
export {
  type InputIssue,
  type ResolveInputsOptions,
  type ResolveInputsResult,
  resolveInputs,
} from './resolve-inputs.js';
