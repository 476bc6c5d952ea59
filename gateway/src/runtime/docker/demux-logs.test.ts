import { describe, expect, it } from 'vitest';
import { demuxLogs } from './demux-logs.js';

const frame = (kind: number, text: string) => {
  const payload = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = kind;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
};

describe('demuxLogs', () => {
  it('joins stdout and stderr frames in order', () => {
    expect(demuxLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'more\n')]))).toBe(
      'out\nerr\nmore\n',
    );
  });
  it('returns unframed (TTY) output unchanged', () => {
    expect(demuxLogs(Buffer.from('plain text output\n'))).toBe('plain text output\n');
  });
});
