import type { FlowMigration } from '@silo/contracts';
import { LineCounter, parseDocument } from 'yaml';
import { rewriteExpressions } from './expressions.js';
import { checkFlowKeys, rewriteChecks, rewriteInputs } from './flow-keys-rules.js';
import { rewriteForEach } from './for-each.js';
import { MigrationContext } from './migration-context.js';
import { inlinePluginDefaults } from './plugin-defaults.js';
import { checkTypes } from './removed-types.js';
import { rewriteTriggerConditions } from './trigger-conditions.js';

/**
 * The rules, in order. Plugin defaults go first, so that a default written
 * onto a task is rewritten like the rest of it; expressions go last, over
 * what the structural rules wrote.
 */
const RULES = [
  inlinePluginDefaults,
  rewriteInputs,
  rewriteChecks,
  rewriteTriggerConditions,
  rewriteForEach,
  checkTypes,
  checkFlowKeys,
  rewriteExpressions,
] as const;

/**
 * What a Kestra 1.3 flow needs to run on the 2.0 dialect (issue 14 §4; the
 * rules follow `shared/conformance/kestra-2.0/CHANGES.md` section A): `clean`
 * when nothing, `automatic` with `proposedYaml` when every change is
 * mechanical (comments and layout kept), `manual` when anything needs a
 * person, each reason with its YAML path and source line. Pure: no I/O.
 *
 * @example
 * migrateFlowTo20('id: f\nnamespace: n\ninputs:\n  - id: b\n    type: BOOLEAN\n');
 * // { status: 'automatic', reasons: [{ path: 'inputs[0].type', line: 5, … }], proposedYaml: '…type: BOOL…' }
 */
export function migrateFlowTo20(source: string): FlowMigration {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, keepSourceTokens: false, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0] as (typeof doc.errors)[number];
    const line = err.linePos?.[0].line ?? 0;
    return {
      status: 'manual',
      reasons: [{ path: '', line, message: `the YAML does not parse: ${err.message}`, kind: 'manual' }],
    };
  }
  const ctx = new MigrationContext(doc, lineCounter);
  for (const rule of RULES) rule(ctx);
  const reasons = ctx.reasons.sort((a, b) => a.line - b.line);
  if (reasons.length === 0) return { status: 'clean', reasons };
  const rewritten = reasons.some((r) => r.kind === 'automatic');
  const proposedYaml = rewritten ? doc.toString({ lineWidth: 0, flowCollectionPadding: false }) : undefined;
  return {
    status: reasons.some((r) => r.kind === 'manual') ? 'manual' : 'automatic',
    reasons,
    ...(proposedYaml !== undefined ? { proposedYaml } : {}),
  };
}
