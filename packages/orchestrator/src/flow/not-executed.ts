import type { IssueCollector } from './issue-collector.js';
import type { TypeDefinition } from './type-definition.js';
import type { YamlPath } from './yaml-path.js';

/**
 * The rule "never accept what is not run": a type Silo does not execute, or a
 * property of a type that it does not execute, is an issue at its YAML path
 * (so the save and the validation answer 422 with the line). Answers whether
 * the definition's use is fully executed.
 *
 * @example
 * if (!refuseNotExecuted(def, props, ['tasks', 0], issues)) return undefined;
 */
export function refuseNotExecuted(
  def: TypeDefinition,
  props: Readonly<Record<string, unknown>>,
  path: YamlPath,
  issues: IssueCollector,
): boolean {
  if (def.notExecutedType !== undefined) {
    issues.add(
      [...path, 'type'],
      `${def.kind} type "${def.type}" is not executed by Silo: ${def.notExecutedType}`,
    );
    return false;
  }
  let ok = true;
  for (const [key, why] of Object.entries(def.notExecuted ?? {})) {
    if (props[key] === undefined) continue;
    issues.add([...path, key], `property "${key}" of ${def.type} is not executed by Silo: ${why}`);
    ok = false;
  }
  return ok;
}
