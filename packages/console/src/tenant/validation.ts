import type { LineIssue } from './yaml-editor';

/** What `POST /flows/validate` answers for each YAML document. */
export type ValidateResult = { index: number; flow?: string; namespace?: string; constraints?: string };

/**
 * Reads the validate endpoint's `constraints` text (one issue per line, each
 * ending in `(line L, column C)` when the place is known) into issues with
 * their line; issues without a place go to line 1.
 *
 * @example
 * lineIssues('tasks[0].type: unknown task type (line 5, column 11)');
 * // [{ line: 5, column: 11, message: 'tasks[0].type: unknown task type' }]
 */
export function lineIssues(constraints: string | undefined): LineIssue[] {
  if (!constraints) return [];
  return constraints
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((text) => {
      const m = /\s*\(line (\d+), column (\d+)\)\s*$/.exec(text);
      if (!m) return { line: 1, column: 1, message: text };
      return { line: Number(m[1]), column: Number(m[2]), message: text.slice(0, m.index) };
    });
}
