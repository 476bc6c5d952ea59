import { describe, expect, it } from 'vitest';
import { errorMessage } from './api';
import { SseParser } from './sse';
import { carriesOutputs, kvEntries, withTaskOutputs } from './tenant/dialect';
import { controlOf } from './tenant/input-field';
import { lineIssues } from './tenant/validation';
import { flowGraph } from './topology/flow-graph';

describe('flowGraph', () => {
  it('chains tasks from start to end', () => {
    const g = flowGraph({
      id: 'f',
      namespace: 'n',
      revision: 1,
      tasks: [
        { id: 'a', type: 'x.Log' },
        { id: 'b', type: 'x.Return' },
      ],
    });
    expect(g.nodes.map((n) => n.id)).toEqual(['__start', 'a', 'b', '__end']);
    expect(g.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['__start>a', 'a>b', 'b>__end']);
  });

  it('fans out Parallel, opens If branches, hangs errors branches with error edges', () => {
    const g = flowGraph({
      id: 'f',
      namespace: 'n',
      revision: 1,
      tasks: [
        {
          id: 'par',
          type: 'io.kestra.plugin.core.flow.Parallel',
          tasks: [
            { id: 'p1', type: 'L' },
            { id: 'p2', type: 'L' },
          ],
        },
        {
          id: 'if',
          type: 'io.kestra.plugin.core.flow.If',
          // biome-ignore lint/suspicious/noThenProperty: Kestra's If task has a `then` branch
          then: [{ id: 't1', type: 'L' }],
          else: [{ id: 'e1', type: 'L' }],
        },
      ],
      errors: [{ id: 'alert', type: 'L' }],
    });
    const edges = g.edges.map((e) => `${e.from}>${e.to}${e.label ? `:${e.label}` : ''}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        'par>p1',
        'par>p2',
        'p1>if',
        'p2>if',
        'if>t1:then',
        'if>e1:else',
        't1>__end',
        'e1>__end',
        '__start>alert:errors',
      ]),
    );
    expect(g.nodes.find((n) => n.id === 'alert')?.kind).toBe('error');
    expect(g.nodes.find((n) => n.id === 'par')?.kind).toBe('flowable');
  });
});

describe('lineIssues', () => {
  it('reads the line and column of each validate constraint', () => {
    expect(lineIssues('tasks[0].type: unknown type (line 5, column 11)\nid: is required')).toEqual([
      { line: 5, column: 11, message: 'tasks[0].type: unknown type' },
      { line: 1, column: 1, message: 'id: is required' },
    ]);
    expect(lineIssues(undefined)).toEqual([]);
  });
});

describe('SseParser', () => {
  it('joins data lines, splits events on blank lines across chunks, ignores comments', () => {
    const p = new SseParser();
    expect(p.push(': hi\nevent: message\ndata: {"a"')).toEqual([]);
    expect(p.push(':1}\r\nid: 7\n\ndata: x\ndata: y\n\n')).toEqual([
      { event: 'message', data: '{"a":1}', id: '7' },
      { event: 'message', data: 'x\ny', id: '7' },
    ]);
  });
});

describe('controlOf', () => {
  it('gives each Kestra input type its control', () => {
    expect(
      ['INT', 'BOOLEAN', 'SELECT', 'MULTISELECT', 'JSON', 'FILE', 'SECRET', 'DATETIME', 'STRING'].map(
        controlOf,
      ),
    ).toEqual(['number', 'bool', 'select', 'multi', 'area', 'file', 'secret', 'datetime', 'text']);
  });
});

describe('both Kestra dialects', () => {
  it('reads the message of a 1.3 error, a gateway error and a 2.0 problem+json', () => {
    expect(errorMessage(404, '{"message":"Not Found: execution x","_links":{}}')).toBe(
      'Not Found: execution x',
    );
    expect(errorMessage(401, '{"message":"invalid or revoked API key","code":"unauthorized"}')).toBe(
      'invalid or revoked API key',
    );
    expect(
      errorMessage(
        409,
        '{"type":"https://kestra.io/docs/api-reference/problems/conflict","title":"Conflict","status":409,"detail":"Execution e is already terminated (KILLED)","instance":"/x"}',
      ),
    ).toBe('Execution e is already terminated (KILLED)');
    expect(errorMessage(501, '{"type":"about:blank","title":"Not Implemented","status":501}')).toBe(
      'Not Implemented',
    );
    expect(
      errorMessage(
        400,
        '{"type":"t","title":"Bad Request","status":400,"detail":"Invalid inputs","errors":[{"path":"count","detail":"\'abc\' is not an integer"}]}',
      ),
    ).toBe("Invalid inputs; count: 'abc' is not an integer");
    expect(errorMessage(500, 'boom')).toBe('boom');
    expect(errorMessage(502, '')).toBe('HTTP 502');
  });

  it('reads a KV list as a bare array (1.3) or a page with revision (2.0)', () => {
    expect(kvEntries([{ key: 'a', version: 2 }])).toEqual([{ key: 'a', version: 2 }]);
    expect(kvEntries({ results: [{ key: 'b', revision: 3 }], total: 1 })).toEqual([
      { key: 'b', revision: 3, version: 3 },
    ]);
    expect(kvEntries(undefined)).toEqual([]);
  });

  it('puts outputs read from /outputs back on the task runs, keeping those an execution carries', () => {
    const state = { current: 'SUCCESS', histories: [] };
    const e = {
      id: 'e',
      namespace: 'n',
      flowId: 'f',
      flowRevision: 1,
      state,
      taskRunList: [
        { id: 'r1', taskId: 'a', state },
        { id: 'r2', taskId: 'b', state, outputs: { kept: true } },
      ],
    };
    expect(carriesOutputs(e)).toBe(true);
    expect(carriesOutputs({ ...e, taskRunList: e.taskRunList.slice(0, 1) })).toBe(false);
    const out = withTaskOutputs(e, { r1: { value: 'x' }, r2: { value: 'ignored' } });
    expect(out.taskRunList?.map((tr) => tr.outputs)).toEqual([{ value: 'x' }, { kept: true }]);
    expect(withTaskOutputs(e, undefined)).toBe(e);
  });
});
