import { describe, expect, it } from 'vitest';
import { INTERNAL_ERROR_DETAIL, PROBLEM_BASE, problemBody } from './problem-json.js';

describe('problemBody (RFC 9457, Kestra 2.0 types)', () => {
  it('maps the status to the type and title, strips the 1.3 reason from the detail', () => {
    expect(
      problemBody(404, 'Not Found: Unable to find execution x', [], '/api/v1/main/executions/x'),
    ).toEqual({
      type: `${PROBLEM_BASE}not-found`,
      title: 'Resource not found',
      status: 404,
      detail: 'Unable to find execution x',
      instance: '/api/v1/main/executions/x',
    });
  });

  it('lists field details in errors[], with a JSON Pointer for body paths', () => {
    const p = problemBody(
      400,
      'Bad Request: body.0.key: bad',
      [{ message: 'bad', path: 'body.0.key' }],
      '/p',
    );
    expect(p.errors).toEqual([{ detail: 'bad', path: 'body.0.key', pointer: '/0/key' }]);
    expect(problemBody(400, 'x', [{ message: 'm', path: 'size' }], '/p').errors).toEqual([
      { detail: 'm', path: 'size' },
    ]);
  });

  it('types filter errors as invalid-query-filters, bulk failures as errors per id', () => {
    expect(problemBody(400, 'Bad Request: unknown filter', [], '/p', { filters: true }).type).toBe(
      `${PROBLEM_BASE}invalid-query-filters`,
    );
    expect(
      problemBody(422, 'Invalid entity', [], '/p', { invalids: { e1: 'not terminated' } }).errors,
    ).toEqual([{ detail: 'not terminated', path: 'e1' }]);
  });

  it('gives a 5xx a fixed detail and its trace id; statuses Kestra has no page for are about:blank', () => {
    const p = problemBody(500, 'Internal server error', [], '/p', { traceId: 't-1' });
    expect(p).toMatchObject({
      type: `${PROBLEM_BASE}internal-error`,
      detail: INTERNAL_ERROR_DETAIL,
      traceId: 't-1',
    });
    expect(problemBody(501, 'Not Implemented: no pause', [], '/p')).toMatchObject({
      type: 'about:blank',
      title: 'Not Implemented',
      detail: 'no pause',
    });
  });
});
