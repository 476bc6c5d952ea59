import type { Document, LineCounter } from 'yaml';
import type { FlowIssue } from './flow-model.js';
import { formatPath, locate, type YamlPath } from './yaml-path.js';

/**
 * Collects the issues of one flow document, each with its path and its place
 * in the source, so the parser can go on after the first one.
 */
export class IssueCollector {
  readonly issues: FlowIssue[] = [];
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Records one issue at `path` (the place is looked up in the document). */
  add(path: YamlPath, message: string): void {
    const pos = locate(this.doc, this.lineCounter, path);
    this.issues.push({ path: formatPath(path), message, ...(pos ?? {}) });
  }

  /** Where a path is written (1-based), if it is. */
  position(path: YamlPath): { line: number; column: number } | undefined {
    return locate(this.doc, this.lineCounter, path);
  }

  /** Records zod issues found under `base`; unknown keys become one issue each. */
  addZod(
    base: YamlPath,
    issues: ReadonlyArray<{ code: string; path: PropertyKey[]; message: string; keys?: string[] }>,
  ) {
    for (const iss of issues) {
      const path = [...base, ...iss.path.map((p) => (typeof p === 'number' ? p : String(p)))];
      if (iss.code === 'unrecognized_keys' && iss.keys) {
        for (const key of iss.keys) this.add([...path, key], `unknown property "${key}"`);
      } else {
        this.add(path, iss.message);
      }
    }
  }

  /** The issues in source order. */
  sorted(): FlowIssue[] {
    return [...this.issues].sort(
      (a, b) =>
        (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.path.localeCompare(b.path),
    );
  }
}

/**
 * The one-line rendering of an issue: `tasks[2].retry.maxAttempts: expected an integer ≥ 1 (line 14, column 9)`.
 *
 * @example
 * formatIssue({ path: 'id', message: 'is required', line: 1, column: 1 }); // 'id: is required (line 1, column 1)'
 */
export function formatIssue(issue: FlowIssue): string {
  const where = issue.line === undefined ? '' : ` (line ${issue.line}, column ${issue.column})`;
  return `${issue.path === '' ? '' : `${issue.path}: `}${issue.message}${where}`;
}
