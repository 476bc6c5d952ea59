/**
 * Kestra's identifier patterns (`AbstractFlow`, `TaskInterface`, `Input`,
 * `Label`); Java's `@Pattern` matches the whole string, hence the anchors.
 */
export const FLOW_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
export const FLOW_ID_MAX = 100;
export const NAMESPACE = /^[a-z0-9][a-z0-9._-]*$/;
export const NAMESPACE_MAX = 150;
export const TASK_ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
export const TASK_ID_MAX = 256;
export const INPUT_ID = /^[a-zA-Z0-9][.a-zA-Z0-9_-]*$/;
export const LABEL_KEY = /^\p{Ll}[\p{L}0-9._-]*$/u;
