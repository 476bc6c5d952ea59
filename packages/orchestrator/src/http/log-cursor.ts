import type { LogEntryJson } from '@silo/contracts';
import { BadRequestError } from '../errors.js';
import type { LogPosition, LogSearch, LogStore, StoredLog } from '../ports/log-store.js';

/** 2.0's `CursorOrOffsetPagedResults_LogEntry_`. */
export type CursorOrOffsetPage = {
  results: LogEntryJson[];
  type: 'OFFSET' | 'CURSOR';
  total?: number;
  nextCursor?: string;
};

type Cursor = LogPosition & { order: 'asc' | 'desc' };

/** An opaque cursor: the last line's (timestamp, id) and the order it was read in, base64url JSON. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify({ t: c.timestamp, i: c.id, o: c.order })).toString('base64url');
}

/** The position a cursor names; a forged one, or one of another sort order, is a 400 naming `cursor`. */
export function decodeCursor(raw: string, order: 'asc' | 'desc'): LogPosition {
  const bad = (why: string): never => {
    throw new BadRequestError(`Bad Request: invalid cursor: ${why}`, [{ message: why, path: 'cursor' }]);
  };
  let parsed: { t?: unknown; i?: unknown; o?: unknown } = {};
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    bad('not a cursor of this API (use the nextCursor of a previous answer)');
  }
  if (typeof parsed.t !== 'string' || !Number.isInteger(parsed.i))
    bad('not a cursor of this API (use the nextCursor of a previous answer)');
  if (parsed.o !== order) bad(`the cursor was made for sort timestamp:${String(parsed.o)}`);
  return { timestamp: parsed.t as string, id: parsed.i as number };
}

/**
 * `GET /logs/search` on a 2.0 instance: offset paging (`type: OFFSET`, with
 * `total`) unless the request carries `cursor`; then cursor paging (`type:
 * CURSOR`; an empty `cursor` asks for the first page): each answer holds at
 * most `size` lines and a `nextCursor` while more lines follow. A cursor
 * reads on from a fixed line, so lines logged meanwhile shift no page.
 *
 * @example
 * searchLogs20(logs, q, undefined, logEntryJson); // { results, type: 'OFFSET', total }
 * searchLogs20(logs, q, '', logEntryJson);        // { results, type: 'CURSOR', nextCursor: 'eyJ0Ij…' }
 */
export function searchLogs20(
  logs: LogStore,
  q: LogSearch & { page: number; size: number; order: 'asc' | 'desc' },
  cursor: string | undefined,
  logEntryJson: (r: StoredLog) => LogEntryJson,
): CursorOrOffsetPage {
  if (cursor === undefined) {
    const { results, total } = logs.search(q);
    return { results: results.map(logEntryJson), type: 'OFFSET', total };
  }
  const after = cursor === '' ? undefined : decodeCursor(cursor, q.order);
  const { results } = logs.search({ ...q, size: q.size + 1, ...(after ? { after } : {}) });
  const page = results.slice(0, q.size);
  const last = page.at(-1);
  return {
    results: page.map(logEntryJson),
    type: 'CURSOR',
    ...(results.length > q.size && last
      ? { nextCursor: encodeCursor({ timestamp: last.timestamp, id: last.id, order: q.order }) }
      : {}),
  };
}
