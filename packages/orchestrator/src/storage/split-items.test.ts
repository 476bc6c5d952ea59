import { describe, expect, it } from 'vitest';
import { parseBytes, type SplitOptions, splitItems } from './split-items.js';

describe('splitItems (Kestra StorageService.split)', () => {
  it.each([
    ['a\nb\nc\nd\ne\n', {}, ['a\n', 'b\n', 'c\n', 'd\n', 'e\n']],
    ['a\nb\nc\nd\ne\n', { rows: 2 }, ['a\nb\n', 'c\nd\n', 'e\n']],
    ['a\nb\nc\nd\ne', { rows: 2 }, ['a\nb\n', 'c\nd\n', 'e\n']],
    ['a\nb\nc\nd\ne\n', { rows: '3' }, ['a\nb\nc\n', 'd\ne\n']],
    ['a\nb\nc\nd\ne\n', { partitions: 2 }, ['a\nc\ne\n', 'b\nd\n']],
    ['a\nb\n', { partitions: 5 }, ['a\n', 'b\n']],
    ['aa\nbb\ncc\ndd\n', { bytes: 5 }, ['aa\nbb\n', 'cc\ndd\n']],
    ['aa\nbb\ncc\n', { bytes: '1KB', rows: 1 }, ['aa\nbb\ncc\n']],
    ['a;b;c;', { separator: ';', rows: 2 }, ['a;b;', 'c;']],
    ['', {}, []],
    ['\n\n', {}, ['\n', '\n']],
  ] as const)('%j with %j', (text, options, expected) => {
    // `rows: '3'` is what a rendered template gives.
    expect(splitItems(text, options as SplitOptions)).toEqual(expected);
  });

  it.each([
    [{ rows: 0 }, 'batch.rows must be an integer ≥ 1'],
    [{ partitions: 1.5 }, 'batch.partitions must be an integer ≥ 1'],
    [{ bytes: '10 parsecs' }, 'batch.bytes must be a size'],
    [{ separator: '' }, 'batch.separator must not be empty'],
  ])('refuses %j', (options, message) => {
    expect(() => splitItems('a\n', options)).toThrow(message);
  });

  it('reads sizes 1024-based', () => {
    expect(parseBytes('10KB')).toBe(10_240);
    expect(parseBytes('1mb')).toBe(1_048_576);
    expect(parseBytes(512)).toBe(512);
  });
});
