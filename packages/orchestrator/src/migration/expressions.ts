import { isScalar } from 'yaml';
import { type MigrationContext, stringScalars, tasksOf } from './migration-context.js';

/**
 * Pebble 1.3 spellings 2.0 removed, rewritten in every string of the flow
 * (CHANGES.md A.8): `json(x)` → `fromJson(x)`, `x | json` → `x | toJson`,
 * `read(…, version=n)`/`fileURI(…, version=n)` → `revision=n`; `Exit` with
 * `state: CANCELED` → `CANCELLED`. Left to a person: `{{ schedule.* }}`
 * (removed; `trigger.*` has other names).
 */
export function rewriteExpressions(ctx: MigrationContext): void {
  for (const { scalar, path } of stringScalars(ctx.doc.contents, [])) {
    const before = scalar.value as string;
    if (!before.includes('{{') && !before.includes('{%')) continue;
    const after = before
      .replace(/(^|[^\w.])json\s*\(/g, '$1fromJson(')
      .replace(/\|\s*json\b(?!\s*\()/g, '| toJson')
      .replace(/\b((?:read|fileURI)\s*\([^)]*?)\bversion\s*=/g, '$1revision=');
    if (after !== before) {
      const changes = [
        ...(/(^|[^\w.])json\s*\(/.test(before) ? ['json() → fromJson()'] : []),
        ...(/\|\s*json\b/.test(before) ? ['| json → | toJson'] : []),
        ...(/version\s*=/.test(before) && after.includes('revision=') ? ['version= → revision='] : []),
      ];
      ctx.automatic(path, scalar, `Pebble ${changes.join(', ')} (removed in 2.0)`);
      scalar.value = after;
    }
    if (/\{\{[^}]*\bschedule\./.test(after))
      ctx.manual(
        path,
        scalar,
        '{{ schedule.* }} is removed in 2.0: read trigger.date (trigger.next, trigger.previous)',
      );
  }
  for (const task of tasksOf(ctx.doc)) {
    if (!/(^|\.)Exit$/.test(task.type)) continue;
    const state = task.map.get('state', true);
    if (isScalar(state) && state.value === 'CANCELED') {
      ctx.automatic([...task.path, 'state'], state, 'CANCELED is spelled CANCELLED in 2.0');
      state.value = 'CANCELLED';
    }
  }
}
