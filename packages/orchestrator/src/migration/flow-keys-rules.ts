import { isMap, isScalar, isSeq, type Scalar } from 'yaml';
import { deleteKey, type MigrationContext, pairOf, renameKey, stringAt } from './migration-context.js';

/** 1.3 input types 2.0 removed, and their 2.0 names (CHANGES.md A.7). */
const INPUT_TYPES: Record<string, string> = { BOOLEAN: 'BOOL', ENUM: 'SELECT' };

/**
 * Inputs: `BOOLEAN` → `BOOL`, `ENUM` → `SELECT` (same `values`),
 * `MULTISELECT.options` → `values`, `required: false` dropped beside
 * `defaults` (2.0: "Inputs with a default value must be required"; the value
 * is there either way). `defaults` with `prefill` is left to a person.
 */
export function rewriteInputs(ctx: MigrationContext): void {
  const inputs = isMap(ctx.doc.contents) ? ctx.doc.contents.get('inputs', true) : undefined;
  if (!isSeq(inputs)) return;
  inputs.items.forEach((input, i) => {
    if (!isMap(input)) return;
    const path = ['inputs', i];
    const typeNode = input.get('type', true);
    const type = stringAt(input, 'type');
    const renamed = type === undefined ? undefined : INPUT_TYPES[type];
    if (renamed !== undefined) {
      ctx.automatic([...path, 'type'], typeNode, `input type ${type} is removed in 2.0: ${renamed}`);
      (typeNode as Scalar).value = renamed;
    }
    const options = pairOf(input, 'options');
    if (type === 'MULTISELECT' && options && !pairOf(input, 'values')) {
      ctx.automatic([...path, 'options'], options.key, 'MULTISELECT `options` is `values` in 2.0');
      renameKey(options, 'values');
    }
    const required = input.get('required', true);
    if (pairOf(input, 'defaults') && isScalar(required) && required.value === false) {
      ctx.automatic(
        [...path, 'required'],
        required,
        '2.0 refuses `required: false` beside `defaults` ("Inputs with a default value must be required"): dropped, the default still applies',
      );
      deleteKey(input, 'required');
    }
    if (pairOf(input, 'defaults') && pairOf(input, 'prefill'))
      ctx.manual(
        [...path, 'prefill'],
        input.get('prefill', true),
        '2.0 refuses `defaults` together with `prefill`: keep one',
      );
  });
}

/** Flow `checks[].condition` → `checks[].when` (2.0 spelling; the alias is deprecated). */
export function rewriteChecks(ctx: MigrationContext): void {
  const checks = isMap(ctx.doc.contents) ? ctx.doc.contents.get('checks', true) : undefined;
  if (!isSeq(checks)) return;
  checks.items.forEach((check, i) => {
    if (!isMap(check)) return;
    const condition = pairOf(check, 'condition');
    if (!condition || pairOf(check, 'when')) return;
    ctx.automatic(['checks', i, 'condition'], condition.key, 'checks `condition` is `when` in 2.0');
    renameKey(condition, 'when');
  });
}

/** Flow-level keys 2.0 refuses and no rewrite replaces (CHANGES.md A.0, A.10). */
const REFUSED_FLOW_KEYS: Record<string, string> = {
  workerGroup: '`workerGroup` is `workerSelector: {tags, match, fallback}` in 2.0 (fallback default FAIL)',
  template: 'templates are removed in 2.0',
};

export function checkFlowKeys(ctx: MigrationContext): void {
  if (!isMap(ctx.doc.contents)) return;
  for (const [key, message] of Object.entries(REFUSED_FLOW_KEYS)) {
    const pair = pairOf(ctx.doc.contents, key);
    if (pair) ctx.manual([key], pair.key, message);
  }
}
