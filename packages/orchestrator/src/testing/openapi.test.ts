import { describe, expect, it } from 'vitest';
import { validateAgainst } from './openapi.js';

describe('validateAgainst (Kestra 1.3.0 spec, patched)', () => {
  it('accepts a minimal flow with variables and a string timeout, rejects one without tasks', () => {
    const flow = {
      id: 'hello',
      namespace: 'company.team',
      revision: 1,
      disabled: false,
      deleted: false,
      variables: { a: 1 },
      tasks: [{ id: 't', type: 'io.kestra.plugin.core.log.Log', message: 'hi', timeout: 'PT1H' }],
    };
    expect(validateAgainst('FlowWithSource', flow)).toEqual([]);
    expect(validateAgainst('Flow', { ...flow, tasks: [] })).not.toEqual([]);
  });

  it('admits null where the spec says nullable', () => {
    expect(validateAgainst('Label', { key: 'a', value: 'b' })).toEqual([]);
  });

  it('names an unknown schema', () => {
    expect(() => validateAgainst('NoSuchSchema', {})).toThrow(/NoSuchSchema/);
  });
});
