import { describe, expect, it } from 'vitest';
import { parseFlow } from './parse-flow.js';

// Found by the reliability suite's fuzzing (test/reliability/fuzz.test.ts, seed -995766948): an
// alias without its anchor made yaml throw a ReferenceError at toJS(), and POST /flows answered 500.
describe('unresolved YAML aliases', () => {
  it('are an issue at the alias, not a thrown error', () => {
    const r = parseFlow('*!');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.message).toBe('YAML alias *! has no anchor &! before it');
  });

  it('point at the alias that has no anchor inside a flow', () => {
    const r = parseFlow(
      'id: f\nnamespace: n\ntasks:\n  - &t { id: a, type: io.kestra.plugin.core.log.Log, message: x }\n  - *t\n  - *missing\n',
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues[0]).toMatchObject({
        message: 'YAML alias *missing has no anchor &missing before it',
        line: 6,
      });
  });
});
