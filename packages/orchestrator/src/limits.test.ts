import { describe, expect, it } from 'vitest';
import { LineCounter } from 'yaml';
import { PayloadTooLargeError } from './errors.js';
import { yamlNestingIssue } from './flow/yaml-guard.js';
import { checkInlineSize } from './http/body-limits.js';
import { exceedsNestingDepth, LIMITS } from './limits.js';

describe('limits', () => {
  it('exceedsNestingDepth counts maps and lists, without recursion', () => {
    expect(exceedsNestingDepth('x', 0)).toBe(false);
    expect(exceedsNestingDepth([], 0)).toBe(true);
    expect(exceedsNestingDepth({ a: [1] }, 2)).toBe(false);
    expect(exceedsNestingDepth({ a: [{}] }, 2)).toBe(true);
    expect(exceedsNestingDepth({ file: new Uint8Array(4) }, 1)).toBe(false);
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown;
    expect(exceedsNestingDepth(deep)).toBe(true);
    const atLimit = JSON.parse(
      '['.repeat(LIMITS.maxNestingDepth) + ']'.repeat(LIMITS.maxNestingDepth),
    ) as unknown;
    expect(exceedsNestingDepth(atLimit)).toBe(false);
  });

  it('yamlNestingIssue names the YAML path, line and column of the first node past the limit', () => {
    const issue = yamlNestingIssue('id: x\nvars:\n  a:\n    - b: 1\n', new LineCounter(), 3);
    expect(issue).toEqual({
      path: 'vars.a[0]',
      message: 'nested deeper than 3 levels of maps and lists (the nesting limit)',
      line: 4,
      column: 7,
    });
    expect(yamlNestingIssue('id: x\nvars:\n  a:\n    - b: 1\n', new LineCounter(), 4)).toBeUndefined();
    expect(
      yamlNestingIssue(`v: ${'{a: '.repeat(50_000)}1${'}'.repeat(50_000)}\n`, new LineCounter()),
    ).toMatchObject({
      line: 1,
    });
  });

  it('checkInlineSize refuses past the inline data limit, naming it', () => {
    expect(() => checkInlineSize(LIMITS.maxInlineDataBytes, 'the JSON body')).not.toThrow();
    expect(() => checkInlineSize(LIMITS.maxInlineDataBytes + 1, 'the JSON body')).toThrow(
      PayloadTooLargeError,
    );
    expect(() => checkInlineSize(LIMITS.maxInlineDataBytes + 1, 'the JSON body')).toThrow(
      /inline data limit/,
    );
  });
});
