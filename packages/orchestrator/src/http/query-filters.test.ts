import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type FilterNode, filterTree, InvalidQueryFiltersError } from './query-filters.js';

const parse = async (query: string): Promise<FilterNode[] | Error> => {
  const app = new Hono();
  let out: FilterNode[] | Error = [];
  app.get('/', (c) => {
    try {
      out = filterTree(c);
    } catch (err) {
      out = err as Error;
    }
    return c.body(null, 204);
  });
  await app.request(`/?${query}`);
  return out;
};

describe('filterTree', () => {
  it('reads flat filters, with a sub-key for labels', async () => {
    expect(await parse('filters[state][IN]=FAILED,KILLED&filters[labels][EQUALS][team]=data')).toEqual([
      { field: 'state', operation: 'IN', value: 'FAILED,KILLED' },
      { field: 'labels', operation: 'EQUALS', value: 'data', sub: 'team' },
    ]);
  });

  it('reads groups as PR #16170 writes them, a child of several conditions being their conjunction', async () => {
    const q =
      'filters[namespace][EQUALS]=io.kestra&filters[or][0][state][EQUALS]=RUNNING' +
      '&filters[or][1][and][0][flowId][EQUALS]=a&filters[or][1][and][1][state][EQUALS]=FAILED';
    expect(await parse(q)).toEqual([
      { field: 'namespace', operation: 'EQUALS', value: 'io.kestra' },
      {
        logical: 'or',
        children: [
          { field: 'state', operation: 'EQUALS', value: 'RUNNING' },
          {
            logical: 'and',
            children: [
              { field: 'flowId', operation: 'EQUALS', value: 'a' },
              { field: 'state', operation: 'EQUALS', value: 'FAILED' },
            ],
          },
        ],
      },
    ]);
  });

  it('refuses malformed keys, groups nested too deep or too wide, naming the key', async () => {
    for (const q of [
      'filters[state]=x',
      'filters[or][x][state][EQUALS]=a',
      'filters[or][20][state][EQUALS]=a',
      'filters[or][0][and][0][or][0][and][0][state][EQUALS]=a',
    ]) {
      const r = await parse(q);
      expect(r, q).toBeInstanceOf(InvalidQueryFiltersError);
      expect((r as InvalidQueryFiltersError).details[0]?.path, q).toBe(decodeURIComponent(q.split('=')[0]!));
    }
  });
});
