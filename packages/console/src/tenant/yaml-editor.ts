import { yaml } from '@codemirror/lang-yaml';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { basicSetup, EditorView } from 'codemirror';

/** One validation issue at a 1-based line (and column when known). */
export type LineIssue = { line: number; column: number; message: string };

/** The editor the page drives: its text, and the issues drawn at their lines. */
export type YamlEditor = {
  value(): string;
  setValue(text: string): void;
  show(issues: LineIssue[]): void;
  destroy(): void;
};

/**
 * A CodeMirror 6 YAML editor (loaded on demand: this module and CodeMirror
 * are a chunk of their own, fetched when an editor opens). Its text area is
 * named `label` for assistive technology and tests.
 *
 * @example
 * const editor = createYamlEditor(div, source, 'Flow YAML', (text) => validate(text));
 */
export function createYamlEditor(
  parent: HTMLElement,
  doc: string,
  label: string,
  onChange: (text: string) => void,
): YamlEditor {
  const view = new EditorView({
    doc,
    parent,
    extensions: [
      basicSetup,
      yaml(),
      lintGutter(),
      EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true', role: 'textbox' }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onChange(u.state.doc.toString());
      }),
    ],
  });
  return {
    value: () => view.state.doc.toString(),
    setValue: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    show(issues) {
      const doc = view.state.doc;
      const diagnostics: Diagnostic[] = issues.map((i) => {
        const line = doc.line(Math.min(Math.max(i.line, 1), doc.lines));
        const from = Math.min(line.from + Math.max(i.column - 1, 0), line.to);
        return { from, to: Math.max(line.to, from), severity: 'error', message: i.message };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    destroy: () => view.destroy(),
  };
}
